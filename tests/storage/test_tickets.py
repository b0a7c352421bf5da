"""Tickets: idempotent opening, threads and evidence, and staff actions under concurrency."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from flows.events import Evidence
from storage.errors import DuplicateReference
from storage.tables import TicketRow, load_json
from storage.uow import UnitOfWork
from tests.storage.conftest import NOW, NewTicketFactory

LATER = NOW + timedelta(minutes=5)


def _staff_ids(engine: Engine, count: int = 2) -> list[int]:
    with UnitOfWork(engine) as uow:
        ids = []
        for number in range(count):
            row = uow.staff.add(9000 + number, "ppa-ppo", f"Officer {number}", NOW)
            assert row.id is not None
            ids.append(row.id)
        uow.commit()
    return ids


def _open(engine: Engine, new_ticket: NewTicketFactory, **overrides: object) -> TicketRow:
    with UnitOfWork(engine) as uow:
        user = uow.users.get_or_create(42, NOW)
        ticket, created = uow.tickets.open(new_ticket(**overrides), user.id, NOW)
        assert created
        uow.commit()
    return ticket


def test_open_writes_ticket_copies_evidence_and_audit(uow: UnitOfWork, new_ticket: NewTicketFactory) -> None:
    user = uow.users.get_or_create(42, NOW)
    photo = Evidence("photo", "file-1", "image/jpeg", 2048, None)
    ticket, created = uow.tickets.open(
        new_ticket(details={"employer": "Kedai X"}, evidence=(photo,), victim_minor=True),
        user.id,
        NOW + timedelta(minutes=30),
    )
    assert created
    assert ticket.id is not None
    stored = uow.tickets.get("PMI-AAAA-0001")
    assert stored is not None
    assert (stored.status, stored.owner, stored.priority, stored.version) == (
        "open",
        "ppa-ppo",
        "high",
        1,
    )
    assert stored.reporter_user_id == user.id
    assert stored.first_response_due == NOW + timedelta(minutes=30)
    assert stored.victim_minor
    assert load_json(stored.details) == {"employer": "Kedai X"}
    assert uow.tickets.copies(ticket.id) == ["kp2mi"]
    [evidence] = uow.tickets.evidence(ticket.id)
    assert (evidence.kind, evidence.file_id, evidence.mime_type, evidence.size) == (
        "photo",
        "file-1",
        "image/jpeg",
        2048,
    )
    assert evidence.message_id is None
    [audit] = uow.audit.for_ticket(ticket.id)
    assert (audit.actor, audit.action, audit.at) == ("reporter", "opened", NOW)
    assert load_json(audit.data) == {
        "category": "trafficking",
        "priority": "high",
        "owner": "ppa-ppo",
        "copied": ["kp2mi"],
    }
    assert "Paspor" not in audit.data


def test_open_is_idempotent_on_its_key(uow: UnitOfWork, new_ticket: NewTicketFactory) -> None:
    first, created = uow.tickets.open(new_ticket(), None, None)
    again, created_again = uow.tickets.open(new_ticket(ref="PMI-AAAA-0002"), None, None)
    assert created and not created_again
    assert again.id == first.id
    assert not uow.tickets.ref_exists("PMI-AAAA-0002")
    assert first.id is not None
    assert len(uow.audit.for_ticket(first.id)) == 1


def test_a_reused_reference_is_refused(uow: UnitOfWork, new_ticket: NewTicketFactory) -> None:
    uow.tickets.open(new_ticket(), None, None)
    with pytest.raises(DuplicateReference):
        uow.tickets.open(new_ticket(idempotency_key="key-2"), None, None)
    # The refusal happened in a savepoint: the transaction goes on.
    assert uow.tickets.ref_exists("PMI-AAAA-0001")
    uow.tickets.open(new_ticket(ref="PMI-AAAA-0002", idempotency_key="key-2"), None, None)
    assert uow.tickets.ref_exists("PMI-AAAA-0002")


def test_the_same_submission_twice_at_once_makes_one_ticket(
    engine: Engine, new_ticket: NewTicketFactory
) -> None:
    opened = threading.Event()
    second: list[tuple[int | None, bool]] = []

    def submit_again() -> None:
        opened.wait()
        with UnitOfWork(engine) as uow:
            ticket, created = uow.tickets.open(new_ticket(ref="PMI-AAAA-0002"), None, None)
            # Still usable after losing the race.
            uow.audit.record(ticket.id, "system", "seen", {}, NOW)
            uow.commit()
            second.append((ticket.id, created))

    thread = threading.Thread(target=submit_again)
    thread.start()
    with UnitOfWork(engine) as uow:
        ticket, created = uow.tickets.open(new_ticket(), None, None)
        opened.set()
        time.sleep(0.2)
        uow.commit()
    thread.join()
    assert created
    assert second == [(ticket.id, False)]


def test_reporter_tickets_newest_first(engine: Engine, new_ticket: NewTicketFactory) -> None:
    _open(engine, new_ticket)
    _open(
        engine,
        new_ticket,
        ref="PMI-AAAA-0002",
        idempotency_key="key-2",
        created_at=NOW + timedelta(days=1),
    )
    with UnitOfWork(engine) as uow:
        user = uow.users.get(42)
        assert user is not None and user.id is not None
        refs = [ticket.ref for ticket in uow.tickets.list_for_reporter(user.id)]
        assert refs == ["PMI-AAAA-0002", "PMI-AAAA-0001"]
        assert uow.tickets.list_for_reporter(user.id + 1) == []


def test_messages_build_the_thread_and_stop_the_sla_clock(
    engine: Engine, new_ticket: NewTicketFactory
) -> None:
    [officer, _] = _staff_ids(engine)
    _open(engine, new_ticket)
    with UnitOfWork(engine) as uow:
        ticket = uow.tickets.get("PMI-AAAA-0001")
        assert ticket is not None and ticket.id is not None
        voice = Evidence("voice", "file-2")
        uow.tickets.add_message(ticket, "reporter", "Saya di Johor.", NOW, evidence=(voice,))
        assert ticket.first_response_at is None
        uow.tickets.add_message(ticket, "ppa-ppo", "Kami hubungi Anda.", LATER, staff_id=officer)
        uow.tickets.add_message(ticket, "ppa-ppo", "Sudah aman?", LATER + timedelta(hours=1))
        uow.commit()
    with UnitOfWork(engine) as uow:
        ticket = uow.tickets.get("PMI-AAAA-0001")
        assert ticket is not None and ticket.id is not None
        assert ticket.first_response_at == LATER
        assert ticket.updated_at == LATER + timedelta(hours=1)
        assert ticket.version == 4
        thread = uow.tickets.thread(ticket.id)
        assert [(m.author, m.text) for m in thread] == [
            ("reporter", "Saya di Johor."),
            ("ppa-ppo", "Kami hubungi Anda."),
            ("ppa-ppo", "Sudah aman?"),
        ]
        assert thread[1].staff_id == officer
        [evidence] = uow.tickets.evidence(ticket.id)
        assert evidence.message_id == thread[0].id
        # Storage refuses what cannot be an agency code (the service passes configured ones only).
        with pytest.raises(ValueError, match="author"):
            uow.tickets.add_message(ticket, "Some One", "?", NOW)


@pytest.mark.parametrize("attempt", range(3))
def test_two_officers_taking_at_once_leave_one_owner(
    engine: Engine, new_ticket: NewTicketFactory, attempt: int
) -> None:
    officers = _staff_ids(engine)
    _open(engine, new_ticket)
    start = threading.Barrier(len(officers))
    results: dict[int, bool] = {}

    def press_take(officer: int) -> None:
        with UnitOfWork(engine) as uow:
            start.wait()
            results[officer] = uow.tickets.take("PMI-AAAA-0001", officer, NOW)
            uow.commit()

    threads = [threading.Thread(target=press_take, args=(officer,)) for officer in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [officer for officer, won in results.items() if won]
    assert len(results) == 2 and len(winners) == 1
    with UnitOfWork(engine) as uow:
        ticket = uow.tickets.get("PMI-AAAA-0001")
        assert ticket is not None
        assert (ticket.status, ticket.taken_by, ticket.version) == ("taken", winners[0], 2)


def test_take_only_from_open_or_waiting(engine: Engine, new_ticket: NewTicketFactory) -> None:
    [first, second] = _staff_ids(engine)
    _open(engine, new_ticket)
    with UnitOfWork(engine) as uow:
        ticket = uow.tickets.get("PMI-AAAA-0001")
        assert ticket is not None
        assert uow.tickets.take("PMI-AAAA-0001", first, LATER)
        # The object in the session follows the update.
        assert (ticket.status, ticket.taken_by, ticket.taken_at) == ("taken", first, LATER)
        assert not uow.tickets.take("PMI-AAAA-0001", second, LATER)
        assert not uow.tickets.take("PMI-XXXX-XXXX", second, LATER)
        assert uow.tickets.close("PMI-AAAA-0001", LATER)
        assert uow.tickets.reopen("PMI-AAAA-0001", LATER)
        assert not uow.tickets.take("PMI-AAAA-0001", second, LATER)


def test_transfer_swaps_owner_and_copy(engine: Engine, new_ticket: NewTicketFactory) -> None:
    [officer, _] = _staff_ids(engine)
    _open(engine, new_ticket)
    with UnitOfWork(engine) as uow:
        assert uow.tickets.take("PMI-AAAA-0001", officer, NOW)
        assert uow.tickets.transfer("PMI-AAAA-0001", "kp2mi", LATER)
        assert not uow.tickets.transfer("PMI-AAAA-0001", "kp2mi", LATER)
        with pytest.raises(ValueError, match="agency"):
            uow.tickets.transfer("PMI-AAAA-0001", "Polri PPA", LATER)
        uow.commit()
    with UnitOfWork(engine) as uow:
        ticket = uow.tickets.get("PMI-AAAA-0001")
        assert ticket is not None and ticket.id is not None
        assert (ticket.owner, ticket.status, ticket.taken_by, ticket.taken_at) == (
            "kp2mi",
            "open",
            None,
            None,
        )
        assert ticket.updated_at == LATER
        assert ticket.version == 3
        assert uow.tickets.copies(ticket.id) == ["ppa-ppo"]


def test_close_reopen_and_status(engine: Engine, new_ticket: NewTicketFactory) -> None:
    _open(engine, new_ticket)
    with UnitOfWork(engine) as uow:
        # Every status change goes through the model (flows/ticket_rules.py): an answer makes it
        # waiting, a second answer leaves it so, and a timer may not close a ticket not resolved.
        assert uow.tickets.apply("PMI-AAAA-0001", "reply", NOW)
        assert not uow.tickets.apply("PMI-AAAA-0001", "reply", NOW)
        assert not uow.tickets.apply("PMI-AAAA-0001", "autoclose", NOW)
        waiting = uow.tickets.get_for_update("PMI-AAAA-0001")
        assert waiting is not None and waiting.status == "waiting"
        assert uow.tickets.close("PMI-AAAA-0001", LATER)
        assert not uow.tickets.close("PMI-AAAA-0001", LATER)
        assert not uow.tickets.transfer("PMI-AAAA-0001", "kp2mi", LATER)
        uow.commit()
    with UnitOfWork(engine) as uow:
        ticket = uow.tickets.get_for_update("PMI-AAAA-0001")
        assert ticket is not None
        assert (ticket.status, ticket.closed_at, ticket.version) == ("closed", LATER, 3)
        assert uow.tickets.reopen("PMI-AAAA-0001", LATER)
        assert not uow.tickets.reopen("PMI-AAAA-0001", LATER)
        uow.commit()
    with UnitOfWork(engine) as uow:
        ticket = uow.tickets.get("PMI-AAAA-0001")
        assert ticket is not None
        assert (ticket.status, ticket.closed_at, ticket.version) == ("open", None, 4)
        assert not uow.tickets.close("PMI-XXXX-XXXX", LATER)
        assert uow.tickets.get_for_update("PMI-XXXX-XXXX") is None
