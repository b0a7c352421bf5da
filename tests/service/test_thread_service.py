"""The thread through the service and a real database: free messages after a report reach the
card's thread in the agency chats, an officer's question is answered without the reply gesture,
and words of danger written to an open ticket make it urgent and alert its owner at once."""

from __future__ import annotations

from sqlmodel import select

from bot.service import Helpline
from flows.incoming import AttachmentIn, CommandIn, TextIn
from storage.tables import TicketRow
from storage.uow import UnitOfWork
from tests.support.service import (
    KP2MI_CHAT,
    OFFICER,
    PPA_CHAT,
    WORKER,
    Person,
    add_officer,
    file_report,
    onboard,
)


def ticket(helpline: Helpline, ref: str) -> TicketRow:
    with UnitOfWork(helpline.db) as uow:
        found = uow.tickets.get(ref)
        assert found is not None
        uow.session.expunge(found)
        return found


def thread(helpline: Helpline, ref: str) -> list[tuple[str, str]]:
    with UnitOfWork(helpline.db) as uow:
        found = uow.tickets.get(ref)
        assert found is not None and found.id is not None
        return [(m.author, m.text) for m in uow.tickets.thread(found.id)]


def test_urgent_report_then_free_messages_reach_the_card_threads(helpline: Helpline) -> None:
    worker = Person(helpline, WORKER)
    onboard(worker)
    worker.send(CommandIn("darurat"))
    out = worker.press("urgent")
    ref = next(m.ticket_ref for m in out if m.ticket_ref)
    assert ref is not None
    notices = []
    for words in ("tolong cepat, penjaga datang", "saya di kamar belakang", "lantai dua"):
        notices += [m for m in worker.send(TextIn(words)) if m.chat_id == PPA_CHAT]
    assert [n.reply_to_card for n in notices] == [True, True, True]
    assert all(ref in n.text for n in notices)
    assert "lantai dua" in notices[-1].text
    assert [text for _, text in thread(helpline, ref)] == [
        "tolong cepat, penjaga datang",
        "saya di kamar belakang",
        "lantai dua",
    ]


def test_an_officers_question_says_how_to_answer_and_an_answer_without_the_gesture_joins(
    helpline: Helpline,
) -> None:
    worker = Person(helpline, WORKER)
    onboard(worker)
    ref = file_report(worker)
    add_officer(helpline)
    _, out = helpline.staff_reply(OFFICER, PPA_CHAT, "Are you safe tonight?", ref=ref)
    (to_worker,) = out
    assert "To answer, just write here." in to_worker.text
    assert ticket(helpline, ref).status == "waiting"
    sent = worker.send(TextIn("Yes, I am safe."))  # no reply gesture
    assert any(m.chat_id == PPA_CHAT and "Yes, I am safe." in m.text for m in sent)
    assert ticket(helpline, ref).status == "open"
    with UnitOfWork(helpline.db) as uow:
        assert len(uow.session.exec(select(TicketRow)).all()) == 1  # no new question ticket
    assert thread(helpline, ref) == [("ppa-ppo", "Are you safe tonight?"), ("reporter", "Yes, I am safe.")]


def test_words_of_danger_to_an_open_ticket_make_it_urgent_and_alert_the_owner(helpline: Helpline) -> None:
    worker = Person(helpline, WORKER)
    onboard(worker)
    ref = file_report(worker)
    assert ticket(helpline, ref).priority == "high"
    out = worker.send(AttachmentIn("photo", "photo-1", "image/jpeg", 10, caption="saya dipukul lagi"))
    assert any(m.kind == "emergency" and m.chat_id == WORKER for m in out)
    alert = [m for m in out if m.chat_id == PPA_CHAT and m.kind == "notice"]
    assert alert and "🔴" in alert[0].text and "saya dipukul lagi" in alert[0].text
    assert any(m.chat_id == KP2MI_CHAT and "saya dipukul lagi" in m.text for m in out)
    assert any(m.kind == "card_update" for m in out)
    assert ticket(helpline, ref).priority == "urgent"
    with UnitOfWork(helpline.db) as uow:
        found = uow.tickets.get(ref)
        assert found is not None and found.id is not None
        assert [e.file_id for e in uow.tickets.evidence(found.id)] == ["photo-1"]
        actions = [a.action for a in uow.audit.for_ticket(found.id)]
        assert "danger_words" in actions
