"""Golden transcripts: each scripted conversation (tests/golden/scripts.py), in each language, must
read exactly as its recorded file ``tests/golden/<flow>.<lang>.txt``.

After an intended change, run ``pytest --regen-golden`` and review the diff of the text files."""

from __future__ import annotations

from pathlib import Path

import pytest

import bot.i18n
from flows.events import LanguageChanged
from flows.render import Translator
from tests.golden.scripts import LANGUAGES, SCRIPTS
from tests.support.chat import Chat
from tests.support.memory import shipped_sample

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = [(flow, lang) for flow in SCRIPTS for lang in LANGUAGES]


def translators() -> dict[str, Translator]:
    return {lang: bot.i18n.translations(lang) for lang in LANGUAGES}


def transcript(flow: str, lang: str) -> str:
    chat = Chat(translators=translators(), registry=shipped_sample())
    SCRIPTS[flow](chat, lang)
    return "\n".join(chat.transcript) + "\n"


@pytest.mark.parametrize(("flow", "lang"), CASES, ids=[f"{f}.{lang}" for f, lang in CASES])
def test_transcript_matches_the_golden_file(flow: str, lang: str, request: pytest.FixtureRequest) -> None:
    text = transcript(flow, lang)
    path = GOLDEN / f"{flow}.{lang}.txt"
    if request.config.getoption("--regen-golden"):
        path.write_text(text, "utf-8")
        return
    if not path.exists():
        pytest.fail(
            f"golden file {path.relative_to(GOLDEN.parent.parent)} is missing: run "
            "`pytest tests/test_golden.py --regen-golden` and review the new file"
        )
    assert text == path.read_text("utf-8"), (
        f"{path.name} differs; if the change is intended, run pytest --regen-golden"
    )


def test_transcripts_are_deterministic() -> None:
    assert transcript("emergency", "id") == transcript("emergency", "id")


def test_every_golden_file_has_a_script() -> None:
    expected = {f"{flow}.{lang}.txt" for flow, lang in CASES}
    present = {p.name for p in GOLDEN.glob("*.txt")}
    assert present <= expected, f"golden files without a script: {sorted(present - expected)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_script_chooses_its_language_with_the_onboarding_button(lang: str) -> None:
    for flow, script in SCRIPTS.items():
        chat = Chat(translators=translators(), registry=shipped_sample())
        script(chat, lang)
        assert LanguageChanged(lang) in chat.events, flow
        assert chat.state.lang == lang, flow
