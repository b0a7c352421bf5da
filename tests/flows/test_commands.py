"""Commands that work anywhere (``flows.engine``): /batal, /bahasa, /hapusdata, English aliases and case.

Played through the scripted Chat driver; the Chat has no translators, so every message renders as its
English msgid."""

from __future__ import annotations

import pytest

from flows.events import (
    DataErasureRequested,
    LanguageChanged,
)
from flows.state import State
from tests.support.chat import Chat
from tests.support.steps import (
    button_data,
    choices,
    file_report,
    last_events,
    onboarded,
    opened,
    report_until_city,
    report_until_summary,
    snapshot,
)


# -- /batal, /bahasa, /hapusdata -------------------------------------------------------------------
def test_batal_mid_report_sends_nothing_and_clears_the_flow() -> None:
    chat = onboarded()
    report_until_summary(chat)
    send = chat.find("send").data
    chat.command("/batal")
    assert "Stopped. Nothing half-entered was sent." in chat.text()
    assert (chat.state.flow, chat.state.step, chat.state.data) == (None, None, {})
    chat.press_raw(send)
    assert opened(chat) == []


def test_batal_with_nothing_to_stop() -> None:
    chat = onboarded()
    chat.command("/batal")
    assert "There was nothing to stop." in chat.text()


def test_cancel_on_the_summary_sends_nothing() -> None:
    chat = onboarded()
    report_until_summary(chat)
    chat.press("cancel")
    assert "Cancelled. Nothing was sent." in chat.text()
    assert opened(chat) == [] and chat.state.flow is None


def test_batal_during_onboarding_forgets_the_pending_command() -> None:
    chat = Chat()
    chat.command("/lapor")
    chat.press("lang.en")
    chat.command("/batal")
    chat.command("/start")
    chat.press("agree")
    chat.press("worker")
    assert chat.state.flow is None


@pytest.mark.parametrize("command", ["/bahasa", "/language"])
def test_bahasa_switches_language_and_re_asks_the_current_step(command: str) -> None:
    chat = onboarded("en")
    report_until_city(chat)
    before = snapshot(chat)
    chat.command(command)
    assert button_data(chat) == ["g.lang.id", "g.lang.en"]
    chat.press("lang.id")
    assert last_events(chat, LanguageChanged) == [LanguageChanged("id")]
    assert chat.text().split("\n")[-1] == "Which city or area? (you may also send your location)"
    state = chat.state
    assert (state.lang, state.flow, state.step, state.data) == ("id", "report", "city", before["data"])


def test_hapusdata_erases_and_resets_the_state() -> None:
    chat = onboarded("en")
    file_report(chat)
    report_until_city(chat)
    chat.command("/hapusdata")
    assert choices(chat) == ["erase", "keep"]
    chat.press("erase")
    assert last_events(chat, DataErasureRequested) == [DataErasureRequested(chat.now)]
    state = chat.state
    assert state == State(lang="en", turn=state.turn)
    assert "Your data has been erased." in chat.text()


def test_hapusdata_keep_erases_nothing() -> None:
    chat = onboarded()
    chat.command("/hapusdata")
    chat.press("keep")
    assert "Nothing was erased." in chat.text()
    assert not any(isinstance(e, DataErasureRequested) for e in chat.events)
    assert chat.state.consent and chat.state.role == "worker"


# -- English aliases -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("alias", "command"),
    [
        ("/check", "/cek"),
        ("/report", "/lapor"),
        ("/assist", "/bantuan"),
        ("/emergency", "/darurat"),
        ("/language", "/bahasa"),
        ("/cancel", "/batal"),
        ("/deletedata", "/hapusdata"),
        ("/help", "/menu"),
    ],
)
def test_english_aliases_do_what_the_indonesian_commands_do(alias: str, command: str) -> None:
    results = []
    for name in (alias, command):
        chat = onboarded()
        chat.command("/lapor")
        chat.press("held")
        chat.command(name)
        results.append((chat.state_json, chat.text(), button_data(chat), [type(e) for e in chat.last.events]))  # type: ignore[union-attr]
    assert results[0] == results[1]
    assert results[0][1]


@pytest.mark.parametrize(("alias", "command"), [("/REPORT", "/lapor"), ("/Check", "/cek")])
def test_commands_ignore_case(alias: str, command: str) -> None:
    a, b = onboarded(), onboarded()
    a.command(alias)
    b.command(command)
    assert (a.state_json, a.text()) == (b.state_json, b.text())
