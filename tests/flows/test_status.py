"""/status (``flows.status``): my reports, their threads, adding information, references typed loosely or
belonging to someone else.

Played through the scripted Chat driver; the Chat has no translators, so every message renders as its
English msgid."""

from __future__ import annotations

from flows.events import (
    ReporterMessageAdded,
)
from flows.incoming import TextIn
from tests.support.memory import MemoryTickets
from tests.support.steps import (
    choices,
    file_report,
    last_events,
    onboarded,
    report_until_city,
)


# -- /status ---------------------------------------------------------------------------------------
def test_status_without_reports() -> None:
    chat = onboarded()
    chat.command("/status")
    assert "You have no reports yet." in chat.text()
    assert chat.state.flow is None


def test_status_lists_my_reports_newest_first() -> None:
    chat = onboarded()
    first = file_report(chat, "held")
    second = file_report(chat, "fake_documents")
    chat.command("/status")
    text = chat.text()
    assert text.index(second.ref) < text.index(first.ref)
    assert "Fake documents" in text and "received" in text
    assert choices(chat) == [f"ref:{second.ref}", f"ref:{first.ref}"]


def test_status_reads_the_thread_with_the_agency_as_author() -> None:
    chat = onboarded()
    ticket = file_report(chat, "held")
    chat.tickets.answer(ticket.ref, "ppa-ppo", "We have contacted the embassy.", chat.now)
    chat.command("/status")
    chat.press(f"ref:{ticket.ref}")
    text = chat.text()
    assert "Officer Polri PPA-PPO: We have contacted the embassy." in text
    assert choices(chat) == ["add", "back"]
    assert chat.replies()[-1].ticket_ref == ticket.ref


def test_status_thread_without_answers_says_so() -> None:
    chat = onboarded()
    ticket = file_report(chat)
    chat.command("/status")
    chat.press(f"ref:{ticket.ref}")
    assert "No answer yet." in chat.text()
    chat.press("back")
    assert chat.state.step == "list"


def test_status_add_information() -> None:
    chat = onboarded()
    ticket = file_report(chat)
    chat.command("/status")
    chat.press(f"ref:{ticket.ref}")
    chat.press("add")
    chat.say("My employer moved me to another house in Skudai.")
    added = last_events(chat, ReporterMessageAdded)
    assert [(e.ref, e.text) for e in added] == [
        (ticket.ref, "My employer moved me to another house in Skudai.")
    ]
    assert f"Added to {ticket.ref}." in chat.text()
    assert chat.state.flow is None
    chat.command("/status")
    chat.press(f"ref:{ticket.ref}")
    assert "You: My employer moved me to another house in Skudai." in chat.text()


def test_status_add_a_file() -> None:
    chat = onboarded()
    ticket = file_report(chat)
    chat.command("/status")
    chat.press(f"ref:{ticket.ref}")
    chat.press("add")
    chat.file("photo", "photo-42")
    [added] = last_events(chat, ReporterMessageAdded)
    assert added.ref == ticket.ref and added.evidence[0].file_id == "photo-42"


def test_typing_my_reference_loosely_opens_it() -> None:
    chat = onboarded()
    ticket = file_report(chat)
    chat.say(ticket.ref.lower().replace("-", ""))
    assert chat.state.flow == "status" and chat.state.step == "view"
    assert ticket.ref in chat.text()


def test_replying_to_an_agency_message_joins_the_thread() -> None:
    chat = onboarded()
    ticket = file_report(chat)
    report_until_city(chat)  # replying works from inside another flow too
    chat.send(TextIn("Yes, I can talk tonight.", reply_to_ref=ticket.ref), "(reply)")
    assert [(e.ref, e.text) for e in last_events(chat, ReporterMessageAdded)] == [
        (ticket.ref, "Yes, I can talk tonight.")
    ]


def test_a_strangers_reference_is_never_shown() -> None:
    tickets = MemoryTickets()
    owner = onboarded(tickets=tickets, seed=1, user="owner")
    theirs = file_report(owner, "violence")
    stranger = onboarded(tickets=tickets, seed=2, user="stranger")
    mine = file_report(stranger, "other")
    stranger.transcript.clear()
    stranger.say(theirs.ref)
    assert "I cannot find that report among yours." in stranger.text()
    stranger.command("/status")
    stranger.press_raw(f"{stranger.state.turn}.ref:{theirs.ref}")
    assert "I cannot find that report among yours." in stranger.text()
    stranger.send(TextIn("hello", reply_to_ref=theirs.ref), "(reply)")
    assert "I cannot find that report among yours." in stranger.text()
    bot_lines = [line for line in stranger.transcript if not line.startswith("user:")]
    assert not any(theirs.ref in line for line in bot_lines)
    assert not any("Violence" in line for line in bot_lines)
    assert not any(isinstance(e, ReporterMessageAdded) for e in stranger.events)
    assert mine.ref != theirs.ref


def test_after_an_unknown_reference_the_listed_reports_can_be_opened() -> None:
    chat = onboarded()
    ticket = file_report(chat)
    chat.say("PMI-AAAA-BBBB")
    assert f"ref:{ticket.ref}" in choices(chat)
    chat.press(f"ref:{ticket.ref}")
    assert "That button is no longer active." not in chat.text()
    assert chat.state.step == "view"


def test_saying_pmi_and_a_place_is_not_a_reference() -> None:
    chat = onboarded()
    ticket = file_report(chat)
    chat.say("saya PMI Hongkong, gaji belum dibayar")
    assert "I cannot find that report" not in chat.text()
    # Not a reference, and the person has an open report: the words join it.
    assert [e.ref for e in last_events(chat, ReporterMessageAdded)] == [ticket.ref]
