"""A person who agreed to an older privacy notice is asked again before anything new is collected
(a report, a request, a question to an officer), once; never before the emergency card, /status,
or words for a ticket they already have."""

from __future__ import annotations

from flows.events import ConsentDeclined, ConsentGiven, EmergencyShown, ReporterMessageAdded
from flows.ports import Context
from tests.support.chat import Chat
from tests.support.steps import choices, file_report, last_events, onboarded

CURRENT = Context.__dataclass_fields__["privacy_version"].default
OLDER = "2026-11"


def agreed_to_older() -> Chat:
    chat = onboarded()
    chat.state_json["consent_version"] = OLDER
    return chat


def test_a_new_report_asks_again_and_goes_on_without_the_role() -> None:
    chat = agreed_to_older()
    chat.command("/lapor")
    text = chat.text()
    assert text.startswith("Our privacy notice has changed since you agreed to it.")
    assert "Immigration" in text  # the agency the older notice did not name
    assert set(choices(chat)) == {"agree", "decline"}
    chat.press("agree")
    assert last_events(chat, ConsentGiven) == [ConsentGiven(CURRENT, "en", chat.now)]
    assert chat.state.consent_version == CURRENT
    assert chat.state.flow == "report" and "Who are you?" not in chat.text()
    chat.command("/menu")
    chat.command("/lapor")  # asked once
    assert chat.state.flow == "report" and "privacy notice" not in chat.text()


def test_declining_the_new_notice_keeps_nothing_new() -> None:
    chat = agreed_to_older()
    chat.command("/bantuan")
    chat.press("decline")
    assert last_events(chat, ConsentDeclined)
    assert not chat.state.consent and chat.state.flow is None
    assert "Without your consent we cannot keep a report." in chat.text()


def test_danger_status_and_words_for_an_open_ticket_are_never_held_up() -> None:
    chat = onboarded()
    ticket = file_report(chat)
    chat.state_json["consent_version"] = OLDER
    chat.command("/darurat")
    assert last_events(chat, EmergencyShown)
    chat.command("/status")
    assert "privacy notice" not in chat.text()
    chat.say("Majikan mengambil HP saya tadi malam.")
    assert [e.ref for e in last_events(chat, ReporterMessageAdded)] == [ticket.ref]
    assert "privacy notice" not in chat.text()


def test_an_unknown_version_is_not_asked_again() -> None:
    chat = onboarded()
    chat.state_json["consent_version"] = None  # a state the engine alone knows nothing about
    chat.command("/lapor")
    assert chat.state.flow == "report"
