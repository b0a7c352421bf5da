"""Every word joins a thread (flows/thread.py through the engine): outside a flow, whatever a
person with an open ticket sends joins that ticket, acknowledged once per burst; with several
open tickets the bot asks once which; words sent where a flow expected something else are kept."""

from __future__ import annotations

from datetime import timedelta

from flows.events import ReporterMessageAdded, TicketOpened
from flows.incoming import AttachmentIn, ContactIn, TextIn
from tests.support.chat import Chat
from tests.support.steps import (
    STORY,
    button_data,
    choices,
    file_report,
    last_events,
    onboarded,
    only_ticket,
    report_until_city,
    report_until_summary,
)


def added(chat: Chat) -> list[tuple[str, str]]:
    return [(e.ref, e.text) for e in chat.events if isinstance(e, ReporterMessageAdded)]


def test_after_an_urgent_report_every_message_joins_it_acknowledged_once() -> None:
    chat = onboarded()
    chat.command("/darurat")
    chat.press("urgent")
    ref = only_ticket(chat).ref
    for words in ("tolong cepat, penjaga datang", "saya di kamar belakang", "lantai dua"):
        chat.say(words)
        assert "did not understand" not in chat.text()
    assert added(chat) == [
        (ref, "tolong cepat, penjaga datang"),
        (ref, "saya di kamar belakang"),
        (ref, "lantai dua"),
    ]
    acknowledgements = [line for line in chat.transcript if line.startswith(f"bot:  Added to {ref}")]
    assert len(acknowledgements) == 1


def test_a_new_burst_is_acknowledged_again() -> None:
    chat = onboarded()
    ticket = file_report(chat)
    chat.say("satu")
    assert f"Added to {ticket.ref}" in chat.text()
    chat.say("dua")
    assert chat.replies() == ()
    chat.now += timedelta(minutes=5)
    chat.say("tiga")
    assert f"Added to {ticket.ref}" in chat.text()


def test_status_add_then_more_messages_all_join() -> None:
    chat = onboarded()
    ticket = file_report(chat)
    chat.command("/status")
    chat.press(f"ref:{ticket.ref}")
    chat.press("add")
    chat.say("Saya dipindah ke rumah lain.")
    chat.say("Alamatnya di Skudai.")
    chat.file("photo", "photo-7")
    assert added(chat) == [
        (ticket.ref, "Saya dipindah ke rumah lain."),
        (ticket.ref, "Alamatnya di Skudai."),
        (ticket.ref, ""),
    ]
    [photo] = last_events(chat, ReporterMessageAdded)
    assert photo.evidence[0].file_id == "photo-7"


def test_an_answer_without_the_reply_gesture_reaches_the_ticket_the_officer_asked_on() -> None:
    chat = onboarded()
    first = file_report(chat, "held")
    second = file_report(chat, "fake_documents")
    chat.tickets.answer(first.ref, "ppa-ppo", "Are you safe tonight?", chat.now)
    chat.say("Ya, saya aman malam ini")
    assert added(chat) == [(first.ref, "Ya, saya aman malam ini")]
    assert not [e for e in chat.last.events if isinstance(e, TicketOpened)]  # type: ignore[union-attr]
    assert second.ref not in chat.text()


def test_with_several_open_tickets_the_bot_asks_once_and_remembers() -> None:
    chat = onboarded()
    first = file_report(chat, "held")
    second = file_report(chat, "fake_documents")
    chat.state_json["thread_ref"] = None  # e.g. after a restart of the conversation
    chat.say("halo petugas")
    assert "Which one is this about?" in chat.text()
    assert set(button_data(chat)) == {f"g.thread.{second.ref}", f"g.thread.{first.ref}"}
    chat.say("gaji saya belum dibayar")
    assert chat.replies() == ()  # asked once, not per message
    assert added(chat) == []
    chat.press_raw(f"g.thread.{first.ref}")  # the button shown with the question
    assert added(chat) == [(first.ref, "halo petugas"), (first.ref, "gaji saya belum dibayar")]
    chat.say("terima kasih")
    assert added(chat)[-1] == (first.ref, "terima kasih")
    assert "Which one" not in chat.text()


def test_files_places_and_contacts_outside_a_flow_join_the_ticket() -> None:
    chat = onboarded()
    ticket = file_report(chat)
    chat.send(AttachmentIn("voice", "voice-1", "audio/ogg", 900), "(voice)")
    chat.send(
        AttachmentIn("document", "doc-1", "application/pdf", 900, "kontrak.pdf", "kontrak saya"), "(doc)"
    )
    chat.location(1.4927, 103.7414)
    chat.send(ContactIn("+60 12 345 6789"), "(contact)")
    assert added(chat) == [
        (ticket.ref, ""),
        (ticket.ref, "kontrak saya"),
        (ticket.ref, "📍 1.49270, 103.74140"),
        (ticket.ref, "📞 +60 12 345 6789"),
    ]


def test_a_closed_ticket_takes_nothing_and_someone_without_tickets_is_told() -> None:
    chat = onboarded()
    ticket = file_report(chat)
    chat.tickets.set_status(ticket.ref, "closed", chat.now)
    chat.say("halo")
    assert added(chat) == []
    assert "Sorry, I did not understand." in chat.text()


def test_a_story_over_several_messages_is_one_story() -> None:
    chat = onboarded()
    report_until_city(chat)
    chat.say("Johor Bahru")
    chat.say("Majikan memegang paspor saya.")
    chat.say("Gaji tiga bulan belum dibayar.")
    assert "I added this to your story." in chat.text()
    chat.say("Saya tidak boleh keluar rumah.")
    assert chat.replies() == ()  # the same burst
    chat.press("skip")
    chat.press("chat")
    assert "Gaji tiga bulan" in chat.text()
    chat.press("send")
    assert only_ticket(chat).description == (
        "Majikan memegang paspor saya.\nGaji tiga bulan belum dibayar.\nSaya tidak boleh keluar rumah."
    )


def test_words_at_a_button_step_are_kept_and_the_second_miss_offers_an_officer() -> None:
    chat = onboarded()
    chat.command("/lapor")
    chat.say("halo")
    assert "I have kept what you wrote for the officer." in chat.text()
    assert "held" in choices(chat)
    chat.say("tolong bantu saya")
    assert "send your words to an officer" in chat.text()
    chat.press("pass")
    ticket = only_ticket(chat)
    assert ticket.details["notes"] == "halo\ntolong bantu saya"
    assert (ticket.category, ticket.owner) == ("other", "kp2mi")
    chat.say("saya di Johor")
    assert added(chat) == [(ticket.ref, "saya di Johor")]


def test_words_at_the_summary_are_kept_and_shown() -> None:
    chat = onboarded()
    report_until_summary(chat)
    chat.say("Oh ya, HP saya juga diambil.")
    assert "I added this to your report." in chat.text()
    assert "• Also written: Oh ya, HP saya juga diambil." in chat.text()
    chat.press("send")
    assert only_ticket(chat).details["notes"] == "Oh ya, HP saya juga diambil."


def test_a_long_story_is_kept_whole() -> None:
    chat = onboarded()
    report_until_city(chat)
    chat.say("Johor Bahru")
    story = ("Saya bekerja tanpa libur sejak datang. " * 130).strip()
    assert len(story) > 5_000
    chat.say(story)
    chat.press("skip")
    chat.press("chat")
    assert "the officer receives the whole text" in chat.text()
    chat.press("send")
    assert only_ticket(chat).description == story


def test_a_reply_to_an_agency_message_is_remembered_for_the_next_messages() -> None:
    chat = onboarded()
    first = file_report(chat)
    file_report(chat, "fake_documents")
    chat.send(TextIn("Ini jawaban saya.", reply_to_ref=first.ref), "(reply)")
    chat.say("Dan satu lagi.")
    assert added(chat) == [(first.ref, "Ini jawaban saya."), (first.ref, "Dan satu lagi.")]
    assert STORY  # the shared helpers' story is what file_report sent
