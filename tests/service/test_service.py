"""The application service over a real database: one transaction per update, tickets and cards,
duplicate deliveries, staff rights, the thread in both directions, erasure."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlmodel import select

from bot.i18n import renderer
from bot.service import Helpline
from flows.incoming import ChoiceIn, CommandIn, TextIn
from flows.text import M
from storage.tables import OutboxRow, TicketRow, UserRow
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

STAFF = renderer("id", "plain")
STRANGER = 9009


def test_report_creates_ticket_cards_and_outbox_in_one_go(helpline: Helpline) -> None:
    worker = Person(helpline, WORKER)
    onboard(worker)
    ref = file_report(worker)
    cards = [m for m in worker.last if m.kind == "card"]
    assert {m.chat_id for m in cards} == {PPA_CHAT, KP2MI_CHAT}
    assert all(ref in m.text and "&lt;b&gt;" in m.text for m in cards)
    with UnitOfWork(helpline.db) as uow:
        ticket = uow.tickets.get(ref)
        assert ticket is not None and ticket.owner == "ppa-ppo" and ticket.priority == "high"
        assert uow.tickets.copies(ticket.id or 0) == ["kp2mi"]
        queued = uow.session.exec(select(OutboxRow).where(OutboxRow.ticket_ref == ref)).all()
        assert {q.chat_id for q in queued if q.kind == "card"} == {PPA_CHAT, KP2MI_CHAT}


def test_duplicate_update_has_its_effect_once(helpline: Helpline) -> None:
    worker = Person(helpline, WORKER)
    onboard(worker)
    worker.send(CommandIn("lapor"))
    before = helpline.handle(WORKER, ChoiceIn("x"), update_id=worker.update)
    assert before == []
    with UnitOfWork(helpline.db) as uow:
        user = uow.users.get(WORKER)
        assert user is not None
        state, _ = uow.conversations.load(user.id or 0)
        assert state is not None and state["flow"] == "report"


def test_confirmation_pressed_twice_makes_one_ticket(helpline: Helpline) -> None:
    worker = Person(helpline, WORKER)
    onboard(worker)
    file_report(worker)
    pressed = worker.update
    send = next(
        d
        for m in reversed(worker.h.handle(WORKER, CommandIn("status"), update_id=pressed + 1))
        for row in m.buttons
        for _, d in row
    )
    assert send  # /status lists the one ticket
    with UnitOfWork(helpline.db) as uow:
        key = uow.session.exec(select(TicketRow)).one().idempotency_key
    # The same "send" press delivered again under a new update id: stale, no second ticket.
    worker.update = pressed + 1
    out = worker.send(ChoiceIn(f"{pressed}.send"))
    assert "no longer active" in out[0].text
    with UnitOfWork(helpline.db) as uow:
        assert [t.idempotency_key for t in uow.session.exec(select(TicketRow))] == [key]


def test_staff_take_answer_reply_close(helpline: Helpline) -> None:
    worker = Person(helpline, WORKER)
    onboard(worker)
    ref = file_report(worker)
    add_officer(helpline)
    answer, out = helpline.staff_press(OFFICER, PPA_CHAT, f"s.take.{ref}")
    assert answer == STAFF.text(M("You have taken {ref}.", ref=ref))
    # Discreet by default (tests/test_discreet_notices.py): it says someone is on it.
    assert any(m.chat_id == WORKER and m.kind == "notice" for m in out)
    assert any(m.kind == "card_update" and "Bripka A." in m.text for m in out)
    error, out = helpline.staff_reply(OFFICER, PPA_CHAT, "We are contacting the embassy.", ref=ref)
    assert error is None
    (to_worker,) = out
    assert to_worker.chat_id == WORKER and to_worker.link == "agency_answer"
    assert "Polri PPA-PPO" in to_worker.text and "Bripka" not in to_worker.text
    with UnitOfWork(helpline.db) as uow:
        uow.links.add(WORKER, 555, ref, "agency_answer")
        uow.commit()
    worker.send(TextIn("Thank you, I am in the hostel."), reply_to=555)
    assert any(m.chat_id == PPA_CHAT and m.reply_to_card for m in worker.last)
    answer, _ = helpline.staff_press(OFFICER, PPA_CHAT, f"s.close.{ref}")
    with UnitOfWork(helpline.db) as uow:
        ticket = uow.tickets.get(ref)
        assert ticket is not None and ticket.status == "closed"
        thread = [m.author for m in uow.tickets.thread(ticket.id or 0)]
        assert thread == ["ppa-ppo", "reporter"]
        actions = [a.action for a in uow.audit.for_ticket(ticket.id or 0)]
        assert actions[0] == "opened" and {"take", "answered", "close"} <= set(actions)


def test_non_staff_and_wrong_agency_are_refused(helpline: Helpline) -> None:
    worker = Person(helpline, WORKER)
    onboard(worker)
    ref = file_report(worker)
    with UnitOfWork(helpline.db) as uow:
        uow.staff.add(OFFICER, "kp2mi", "Officer K", helpline.clock())
        uow.commit()
    for who, chat in ((STRANGER, PPA_CHAT), (OFFICER, PPA_CHAT), (OFFICER, KP2MI_CHAT)):
        answer, out = helpline.staff_press(who, chat, f"s.take.{ref}")
        assert out == [] and answer == STAFF.text(M("You are not allowed to do this."))
    forged, out = helpline.staff_press(STRANGER, PPA_CHAT, "s.take.PMI-0000-0000")
    assert out == [] and forged == STAFF.text(M("You are not allowed to do this."))
    with UnitOfWork(helpline.db) as uow:
        ticket = uow.tickets.get(ref)
        assert ticket is not None and ticket.taken_by is None and ticket.status == "open"


def test_two_officers_pressing_take_at_once_leave_one_owner(helpline: Helpline) -> None:
    worker = Person(helpline, WORKER)
    onboard(worker)
    ref = file_report(worker)
    with UnitOfWork(helpline.db) as uow:
        uow.staff.add(OFFICER, "ppa-ppo", "A", helpline.clock())
        uow.staff.add(OFFICER + 1, "ppa-ppo", "B", helpline.clock())
        uow.commit()
    answers: list[str] = []
    barrier = threading.Barrier(2)

    def take(officer: int) -> None:
        barrier.wait()
        answers.append(helpline.staff_press(officer, PPA_CHAT, f"s.take.{ref}")[0])

    threads = [threading.Thread(target=take, args=(o,)) for o in (OFFICER, OFFICER + 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    refused = STAFF.text(M("Someone else has already taken this ticket."))
    assert sorted(a == refused for a in answers) == [False, True]


def test_erasure_closes_and_anonymises(helpline: Helpline) -> None:
    worker = Person(helpline, WORKER)
    onboard(worker)
    ref = file_report(worker)
    worker.send(CommandIn("hapusdata"))
    out = worker.press("erase")
    assert any(m.chat_id in (PPA_CHAT, KP2MI_CHAT) for m in out)
    with UnitOfWork(helpline.db) as uow:
        assert uow.session.exec(select(UserRow).where(UserRow.telegram_id == WORKER)).first() is None
        ticket = uow.tickets.get(ref)
        assert ticket is not None and ticket.status == "closed"
        assert ticket.description == "" and ticket.reporter_user_id is None
        assert ticket.city is None and ticket.victim_name is None


def test_a_registry_imported_beside_the_running_bot_is_picked_up(helpline: Helpline) -> None:
    import io

    from sqlmodel import Session

    from storage.registry import COLUMNS, import_csv

    assert helpline.refresh_registry() is False  # nothing changed since it was loaded
    assert not helpline.registry.search("Mutiara Fiktif Sejahtera").candidates
    line = (
        "PT Mutiara Fiktif Sejahtera (CONTOH),KEP.999/TEST/2026,active,2030-01-01,"
        "Jawa Timur,Malang,,,MY,test,2026-11-01"
    )
    with Session(helpline.db) as session:
        import_csv(
            session, io.StringIO(",".join(COLUMNS) + "\n" + line + "\n"), now=helpline.clock(), is_sample=True
        )
        session.commit()
    assert helpline.refresh_registry() is True
    assert helpline.registry.search("mutiara fiktif sejahtera").candidates
    assert helpline.refresh_registry() is False


def test_a_checked_recruiter_and_its_red_flags_reach_the_card(helpline: Helpline) -> None:
    import io

    from sqlmodel import Session

    from storage.registry import COLUMNS, import_csv

    line = (
        "PT Mercusuar Kertas Abadi (CONTOH),SIP3MI-T-0103,dicabut,2027-01-31,"
        "Nusa Tenggara Barat,Mataram,,,MY,test,2026-10-01"
    )
    with Session(helpline.db) as session:
        import_csv(
            session, io.StringIO(",".join(COLUMNS) + "\n" + line + "\n"), now=helpline.clock(), is_sample=True
        )
        session.commit()
    helpline.refresh_registry()
    worker = Person(helpline, WORKER)
    onboard(worker)
    worker.send(CommandIn("cek"))
    worker.send(TextIn("pt mercusuar kertas abadi"))
    worker.press("check")
    for answer in ("yes", "yes", "no", "no", "yes", "yes"):  # fees and a tourist visa
        worker.press(answer)
    worker.press("report_recruiter")
    worker.press("no")
    worker.press("self")
    worker.press("ID")
    worker.send(TextIn("Mataram"))
    worker.send(TextIn("They want 20 million in cash."))
    worker.press("skip")
    worker.press("chat")
    out = worker.press("send")

    [card] = [m for m in out if m.kind == "card" and m.chat_id == KP2MI_CHAT]
    assert "Perekrut: PT Mercusuar Kertas Abadi (CONTOH) (SIP3MI-T-0103) — DICABUT" in card.text
    assert "Cek tanda bahaya: RISIKO TINGGI" in card.text
    assert "⚠ Biaya di luar biaya resmi, atau transfer ke rekening pribadi: Ya" in card.text
    assert "⚠ Berangkat dengan visa turis atau visa kunjungan: Ya" in card.text
    assert "Sudah menerima kontrak kerja tertulis" not in card.text  # answered as it should be
    with UnitOfWork(helpline.db) as uow:
        ticket = uow.tickets.get(out[0].ticket_ref or "")
        assert ticket is not None and ticket.category == "illegal_recruitment"
        # A high-risk verdict: high priority, with its 4-hour first-response target.
        assert ticket.priority == "high"
        assert ticket.first_response_due is not None
        assert ticket.first_response_due - ticket.created_at == timedelta(hours=4)
