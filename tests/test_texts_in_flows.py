"""Every user-facing text is in flows/ (issue 13): no module of bot/ marks a message of its own.
bot/ decides when to say something and calls flows/ for the words, so a translator, or someone
changing a text, reads one layer. A simple scan of the syntax trees: a call of a message marker
(``M``, ``N_``, ``_``) or of gettext (``gettext``, ``ngettext``, ``pgettext``, ``lazy_gettext``...,
as a name or an attribute) with a string literal in bot/ fails, naming the file and line."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parent.parent / "bot"
MARKERS = {"M", "N_", "_", "gettext", "ngettext", "pgettext", "npgettext", "dgettext", "lazy_gettext"}
MARKERS |= {f"l{name}" for name in ("gettext", "ngettext", "pgettext")}


def _called(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _literal(node: ast.expr) -> bool:
    """A string, or strings joined (``"a" "b"`` is one constant; ``"a" + "b"`` is not)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    return isinstance(node, ast.BinOp) and _literal(node.left) and _literal(node.right)


def texts_in(source: str, name: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, name)):
        if isinstance(node, ast.Call) and _called(node) in MARKERS and node.args and _literal(node.args[0]):
            found.append(f"{name}:{node.lineno}: {_called(node)}(...)")
    return found


def test_no_module_of_bot_holds_a_text() -> None:
    modules = sorted(BOT.rglob("*.py"))
    assert len(modules) > 20  # the scan sees the package
    found = [hit for path in modules for hit in texts_in(path.read_text(), str(path.relative_to(BOT.parent)))]
    assert found == [], "texts belong in flows/: " + ", ".join(found)


def test_the_scan_finds_each_kind_of_marker() -> None:
    source = (
        'M("Hello {name}.", name=x)\n'
        'N_("Label")\n'
        't.gettext("Hi")\n'
        'ngettext("one", "many", n)\n'
        'translations(lang).pgettext("ctx", "Hi")\n'
        'M("Two " "parts")\n'
        "M(msgid)\n"  # a variable is the machinery (rendering), not a text
        'print("not a text")\n'
    )
    hits = texts_in(source, "x.py")
    assert [hit.split(": ")[1] for hit in hits] == [
        "M(...)",
        "N_(...)",
        "gettext(...)",
        "ngettext(...)",
        "pgettext(...)",
        "M(...)",
    ]
    assert [hit.split(":")[1] for hit in hits] == ["1", "2", "3", "4", "5", "6"]
