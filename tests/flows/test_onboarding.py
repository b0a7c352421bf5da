"""Onboarding (``flows.onboarding``): language, consent or its refusal, role, and the menu after it.

Played through the scripted Chat driver; the Chat has no translators, so every message renders as its
English msgid."""

from __future__ import annotations

import pytest

from flows.events import (
    ConsentDeclined,
    ConsentGiven,
    EmergencyShown,
    LanguageChanged,
    RoleChosen,
)
from tests.support.chat import Chat
from tests.support.steps import (
    MENU_ACTIONS,
    button_data,
    choices,
    last_events,
    onboarded,
    report_until_city,
    snapshot,
)


# -- onboarding ------------------------------------------------------------------------------------
def test_start_asks_the_language_first() -> None:
    chat = Chat()
    chat.command("/start")
    assert button_data(chat) == ["g.lang.id", "g.lang.en"]
    assert "Choose your language." in chat.text()
    assert chat.state.flow == "onboarding" and chat.state.step == "language"
    assert chat.last is not None and chat.last.events == ()


def test_onboarding_records_language_consent_and_role() -> None:
    chat = onboarded("en", "family")
    kinds = [type(e) for e in chat.events]
    assert kinds == [LanguageChanged, ConsentGiven, RoleChosen]
    consent = next(e for e in chat.events if isinstance(e, ConsentGiven))
    assert (consent.version, consent.lang, consent.scope) == ("2026-12", "en", "full")
    state = chat.state
    assert (state.lang, state.consent, state.role, state.flow) == ("en", True, "family", None)
    assert set(button_data(chat)) >= MENU_ACTIONS


def test_consent_is_recorded_in_the_chosen_language() -> None:
    chat = Chat()
    chat.command("/start")
    chat.press("lang.id")
    assert "UU PDP 27/2022" in chat.text()
    assert choices(chat) == ["agree", "decline"]
    chat.press("agree")
    assert last_events(chat, ConsentGiven)[0].lang == "id"
    assert choices(chat) == ["worker", "family", "prospective"]


@pytest.mark.parametrize("role", ["worker", "family", "prospective"])
def test_every_role_can_be_chosen(role: str) -> None:
    chat = onboarded("en", role)
    assert chat.state.role == role
    assert last_events(chat, RoleChosen) == [RoleChosen(role)]


def test_declining_keeps_nothing_and_says_what_still_works() -> None:
    chat = Chat()
    chat.command("/start")
    chat.press("lang.en")
    chat.press("decline")
    assert last_events(chat, ConsentDeclined)
    assert not any(isinstance(e, ConsentGiven) for e in chat.events)
    state = chat.state
    assert (state.consent, state.role, state.flow, state.step, state.data) == (False, None, None, None, {})
    assert state.after_onboarding is None
    for command in ("/darurat", "/cek", "/info", "/start"):
        assert command in chat.text()


def test_after_declining_open_commands_work_and_reports_ask_consent_again() -> None:
    chat = Chat()
    chat.command("/start")
    chat.press("lang.en")
    chat.press("decline")
    chat.command("/darurat")
    assert last_events(chat, EmergencyShown)
    chat.command("/cek")
    assert chat.state.flow == "check"
    chat.command("/info")
    assert chat.state.flow == "info"
    chat.command("/lapor")
    assert chat.state.step == "consent"  # the language is remembered; consent is asked again
    assert choices(chat) == ["agree", "decline"]


def test_a_report_before_consent_continues_into_the_report_after_onboarding() -> None:
    chat = Chat()
    chat.command("/lapor")
    assert chat.state.step == "language"
    chat.press("lang.en")
    chat.press("agree")
    chat.press("worker")
    assert chat.state.flow == "report" and chat.state.step == "category"
    assert "held" in choices(chat)


def test_start_again_after_consent_shows_the_menu_and_leaves_the_flow() -> None:
    chat = onboarded()
    report_until_city(chat)
    chat.command("/start")
    assert "Welcome back." in chat.text()
    assert chat.state.flow is None and chat.state.consent
    assert set(button_data(chat)) >= MENU_ACTIONS


# -- menu ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["/menu", "/help"])
def test_menu_lists_commands_and_buttons(command: str) -> None:
    chat = onboarded()
    before = snapshot(chat)
    chat.command(command)
    assert set(button_data(chat)) >= MENU_ACTIONS
    assert "/cek /lapor /bantuan /status /info /darurat /bahasa /batal /hapus /hapusdata" in chat.text()
    assert snapshot(chat) == before


def test_menu_buttons_run_their_commands() -> None:
    chat = onboarded()
    chat.press("lapor")
    assert chat.state.flow == "report"
    chat.press_raw("g.cek")  # global buttons stay valid on older messages
    assert chat.state.flow == "check"
    chat.press_raw("g.darurat")
    assert last_events(chat, EmergencyShown)


def test_words_typed_at_the_privacy_question_are_kept_for_the_report_once_agreed() -> None:
    chat = Chat()
    chat.command("/start")
    chat.press("lang.en")
    chat.say("my sister is missing in malaysia")
    assert chat.text().startswith(
        "Thank you. I will keep what you wrote for an officer once you agree to how we use your data."
    )
    assert "Do you agree?" in chat.text()  # the question again, in the same message
    chat.press("agree")
    chat.say("family")  # typed, understood: the role
    assert "What you wrote is kept" in chat.text()
    chat.command("/lapor")
    assert "• Already written: my sister is missing in malaysia" in chat.text()
    assert chat.state.data["notes"] == ["my sister is missing in malaysia"]
    assert chat.state.prefill is None


def test_declining_forgets_what_was_typed_and_says_so() -> None:
    chat = Chat()
    chat.command("/start")
    chat.press("lang.en")
    chat.say("my sister is missing in malaysia")
    chat.press("decline")
    assert "What you wrote here has not been kept." in chat.text()
    assert chat.state.data == {} and chat.state.prefill is None
