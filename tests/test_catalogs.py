"""The gettext catalogs are complete, match the code, and keep every placeholder and tag intact."""

from __future__ import annotations

import importlib.util
import re
import string
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("id", "en")
# The tags Telegram HTML allows and the renderer knows how to strip for plain text.
TAG = re.compile(r"</?(?:b|i|u|s|code)>")


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("catalogs_script", ROOT / "scripts" / "catalogs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


catalogs = _load_script()


def _catalog(lang: str) -> Catalog:
    with catalogs.catalog_path(ROOT, lang).open("rb") as handle:
        return read_po(handle, locale=lang)


def _texts(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    if isinstance(value, (tuple, list)):
        return list(value)
    return [value or ""]


def _fields(text: str) -> set[str] | str:
    """The ``{placeholder}`` names in ``text``, or why ``str.format`` would refuse it."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as error:
        return f"unusable format string ({error})"


def _problems(message: Message) -> list[str]:
    ids, strings = _texts(message.id), _texts(message.string)
    if message.fuzzy:
        return ["fuzzy (confirm or correct the translation, then remove the flag)"]
    if not all(strings):
        return ["untranslated"]
    found = []
    for index, translated in enumerate(strings):
        source = ids[min(index, len(ids) - 1)]
        if _fields(translated) != _fields(source):
            found.append(f"placeholders {_fields(translated)} != {_fields(source)}")
        if Counter(TAG.findall(translated)) != Counter(TAG.findall(source)):
            found.append(f"tags {TAG.findall(translated)} != {TAG.findall(source)}")
        stray = set(re.findall(r"[<>&]", TAG.sub("", translated)))
        if stray - set(re.findall(r"[<>&]", TAG.sub("", source))):
            found.append(f"raw {sorted(stray)} would break Telegram HTML")
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_is_translated_with_its_placeholders_and_tags(lang: str) -> None:
    catalog = _catalog(lang)
    report = [
        f"{message.id!r}: {problem}" for message in catalog if message.id for problem in _problems(message)
    ]
    assert len(catalog) > 0
    assert not report, f"{lang}: {len(report)} problem(s):\n" + "\n".join(report)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_obsolete_entries_linger(lang: str) -> None:
    assert not _catalog(lang).obsolete


def test_catalogs_match_the_code() -> None:
    diffs = catalogs.stale(ROOT)
    assert not diffs, "run `python scripts/catalogs.py update`:\n" + "\n".join(diffs)


def test_problems_are_detected() -> None:
    def message(msgid: str, msgstr: str, flags: tuple[str, ...] = ()) -> Message:
        return Message(msgid, msgstr, flags=flags)

    assert _problems(message("Hi {name}", "Halo {name}")) == []
    assert _problems(message("Hi {name}", "")) == ["untranslated"]
    assert _problems(message("Hi {name}", "Halo {name}", ("fuzzy",)))[0].startswith("fuzzy")
    assert _problems(message("Hi {name}", "Halo {nama}"))[0].startswith("placeholders")
    assert _problems(message("Hi {name}", "Halo {name"))[0].startswith("placeholders")
    assert _problems(message("<b>Hi</b>", "<b>Halo"))[0].startswith("tags")
    assert _problems(message("Age under 18", "Usia < 18"))[0].startswith("raw")


def test_update_is_stable_fills_english_and_drops_obsolete_entries(tmp_path: Path) -> None:
    (tmp_path / "babel.cfg").write_text((ROOT / "babel.cfg").read_text(encoding="utf-8"), encoding="utf-8")
    source = tmp_path / "flows" / "sample.py"
    source.parent.mkdir()
    source.write_text('M("Hello {name}")\nN_("Goodbye")\n', encoding="utf-8")
    assert len(catalogs.update(tmp_path)) == 3
    assert catalogs.update(tmp_path) == []
    assert catalogs.stale(tmp_path) == []

    id_po = catalogs.catalog_path(tmp_path, "id")
    id_po.write_text(
        id_po.read_text(encoding="utf-8").replace(
            'msgid "Hello {name}"\nmsgstr ""', 'msgid "Hello {name}"\nmsgstr "Halo {name}"'
        ),
        encoding="utf-8",
    )
    source.write_text('M("Hello, {name}")\n', encoding="utf-8")
    assert catalogs.stale(tmp_path)
    catalogs.update(tmp_path)

    with catalogs.catalog_path(tmp_path, "en").open("rb") as handle:
        english = {m.id: m.string for m in read_po(handle) if m.id}
    assert english == {"Hello, {name}": "Hello, {name}"}
    with id_po.open("rb") as handle:
        indonesian = read_po(handle, locale="id")
    changed = indonesian.get("Hello, {name}")
    assert changed is not None and changed.fuzzy and changed.string == "Halo {name}"
    assert not indonesian.obsolete and "#~" not in id_po.read_text(encoding="utf-8")
    assert catalogs.stale(tmp_path) == []
