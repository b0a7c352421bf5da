"""Duress-safe: /hapus clears the chat, and nobody can learn through the bot whether a given
person has reported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlmodel import col, select

from bot.outgoing import Outgoing
from bot.service import Helpline
from flows.incoming import ChoiceIn, CommandIn, Incoming, TextIn
from storage.tables import DeletableMessageRow, OutboxRow
from storage.uow import UnitOfWork
from tests.support.service import WORKER, Person, file_report, onboard

SOMEONE_ELSE = 5002


def test_hapus_asks_then_queues_deleting_the_chat(helpline: Helpline) -> None:
    worker = Person(helpline, WORKER)
    onboard(worker)
    file_report(worker)
    worker.send(CommandIn("hapus"))
    out = worker.press("keep")
    assert [m.kind for m in out] == ["reply"]
    worker.send(CommandIn("delete"))  # the English alias
    out = worker.press("clear")
    deletions = [m for m in out if m.kind == "delete_chat"]
    assert [(m.chat_id, m.text) for m in deletions] == [(WORKER, "")]
    with UnitOfWork(helpline.db) as uow:
        queued = uow.session.exec(select(OutboxRow).where(OutboxRow.kind == "delete_chat")).all()
        assert [(row.chat_id, row.priority) for row in queued] == [(WORKER, deletions[0].priority)]
    # The deletion goes before the one-word answer (a lower priority number is sent first).
    (answer,) = [m for m in out if m.kind == "reply"]
    assert deletions[0].priority < answer.priority


def test_hapus_works_without_consent_and_keeps_the_data(helpline: Helpline) -> None:
    person = Person(helpline, SOMEONE_ELSE)
    person.send(CommandIn("hapus"))
    assert any(m.kind == "delete_chat" for m in person.press("clear"))
    worker = Person(helpline, WORKER)
    onboard(worker)
    ref = file_report(worker)
    worker.send(CommandIn("hapus"))
    worker.press("clear")
    with UnitOfWork(helpline.db) as uow:
        assert uow.tickets.get(ref) is not None and uow.users.get(WORKER) is not None


def test_the_persons_messages_are_kept_as_ids_for_hapus_to_delete(helpline: Helpline) -> None:
    def remembered() -> list[tuple[int, int, datetime]]:
        with UnitOfWork(helpline.db) as uow:
            rows = uow.session.exec(select(DeletableMessageRow).order_by(col(DeletableMessageRow.id)))
            return [(r.chat_id, r.message_id, r.sent_at) for r in rows]

    sent = datetime(2026, 11, 23, 6, 59, 30, tzinfo=UTC)  # before the service's clock starts
    jakarta = sent.astimezone(timezone(timedelta(hours=7)))
    helpline.handle(WORKER, CommandIn("start"), update_id=1, message_id=7, sent_at=jakarta)
    helpline.handle(WORKER, CommandIn("start"), update_id=1, message_id=7, sent_at=jakarta)  # again
    helpline.handle(WORKER, TextIn("halo"), update_id=2, message_id=9)  # no date: when handled
    [first, second] = remembered()
    assert first == (WORKER, 7, sent)
    assert second[:2] == (WORKER, 9) and second[2] > sent
    # Erasing the person's data forgets them too.
    out = helpline.handle(WORKER, CommandIn("hapusdata"), update_id=3, message_id=11)
    erase = next(data for m in out for row in m.buttons for _, data in row if data.endswith(".erase"))
    helpline.handle(WORKER, ChoiceIn(erase), update_id=4)
    assert remembered() == []


def texts(out: list[Outgoing], ref: str) -> list[str]:
    return [m.text.replace(ref, "REF") for m in out]


def test_someone_elses_reference_looks_like_an_unknown_one(helpline: Helpline) -> None:
    worker = Person(helpline, WORKER)
    onboard(worker)
    ref = file_report(worker)
    unknown = "PMI-ZZZZ-ZZZZ"

    def typed(ref: str) -> Incoming:
        return TextIn(ref)

    def status(ref: str) -> Incoming:
        return CommandIn("status", ref)

    for number, send in enumerate((typed, status)):
        probe_other = Person(helpline, SOMEONE_ELSE + 10 * number)
        probe_unknown = Person(helpline, SOMEONE_ELSE + 10 * number + 1)
        for probe in (probe_other, probe_unknown):
            onboard(probe)
        a = probe_other.send(send(ref))
        b = probe_unknown.send(send(unknown))
        assert texts(a, ref) == texts(b, unknown)
        assert [m.buttons for m in a] == [m.buttons for m in b]
        assert all(m.ticket_ref is None for m in a)


def test_notices_to_the_reporter_never_quote_the_report(helpline: Helpline) -> None:
    worker = Person(helpline, WORKER)
    onboard(worker)
    ref = file_report(worker)
    with UnitOfWork(helpline.db) as uow:
        uow.staff.add(7001, "ppa-ppo", "A", helpline.clock())
        uow.commit()
    _, out = helpline.staff_press(7001, -1002, f"s.take.{ref}")
    _, closed = helpline.staff_press(7001, -1002, f"s.close.{ref}")
    to_worker = [m for m in out + closed if m.chat_id == WORKER]
    assert len(to_worker) == 2
    assert not [m for m in to_worker if "passport" in m.text or "Johor" in m.text]
