"""What a reporter can read of tickets: their own, and nothing that tells a stranger's apart."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from flows.ports import ThreadEntry, TicketReader
from storage.ticket_reader import DbTicketReader
from storage.uow import UnitOfWork
from tests.storage.conftest import NOW, NewTicketFactory


def _two_reporters(engine: Engine, new_ticket: NewTicketFactory) -> tuple[int, int]:
    with UnitOfWork(engine) as uow:
        officer = uow.staff.add(9000, "ppa-ppo", "Inspektur Rahmat", NOW)
        mine = uow.users.get_or_create(1, NOW)
        theirs = uow.users.get_or_create(2, NOW)
        assert mine.id is not None and theirs.id is not None
        ticket, _ = uow.tickets.open(new_ticket(), mine.id, None)
        uow.tickets.open(
            new_ticket(ref="PMI-BBBB-0001", idempotency_key="key-2", created_at=NOW + timedelta(1)),
            mine.id,
            None,
        )
        uow.tickets.open(new_ticket(ref="PMI-CCCC-0001", idempotency_key="key-3"), theirs.id, None)
        uow.tickets.add_message(ticket, "reporter", "Tolong.", NOW)
        uow.tickets.add_message(ticket, "system", "Tiket dipindahkan.", NOW)
        later = NOW + timedelta(hours=1)
        uow.tickets.add_message(ticket, "ppa-ppo", "Kami bantu.", later, staff_id=officer.id)
        uow.commit()
        return mine.id, theirs.id


def test_reader_lists_only_my_tickets(engine: Engine, new_ticket: NewTicketFactory) -> None:
    mine, _ = _two_reporters(engine, new_ticket)
    with UnitOfWork(engine) as uow:
        reader: TicketReader = DbTicketReader(uow.session, mine)
        summaries = reader.my_tickets()
        assert [s.ref for s in summaries] == ["PMI-BBBB-0001", "PMI-AAAA-0001"]
        assert (summaries[1].category, summaries[1].status, summaries[1].owner) == (
            "trafficking",
            "open",
            "ppa-ppo",
        )
        assert summaries[1].created_at == NOW


def test_reader_shows_the_thread_as_agencies(engine: Engine, new_ticket: NewTicketFactory) -> None:
    mine, _ = _two_reporters(engine, new_ticket)
    with UnitOfWork(engine) as uow:
        view = DbTicketReader(uow.session, mine).my_ticket("PMI-AAAA-0001")
        assert view is not None
        assert view.summary.ref == "PMI-AAAA-0001"
        assert view.thread == (
            ThreadEntry("reporter", "Tolong.", NOW),
            ThreadEntry("ppa-ppo", "Kami bantu.", NOW + timedelta(hours=1)),
        )


def test_a_strangers_ticket_looks_missing(engine: Engine, new_ticket: NewTicketFactory) -> None:
    mine, theirs = _two_reporters(engine, new_ticket)
    with UnitOfWork(engine) as uow:
        reader = DbTicketReader(uow.session, mine)
        assert reader.my_ticket("PMI-CCCC-0001") is None
        assert reader.my_ticket("PMI-ZZZZ-0001") is None
        assert [s.ref for s in DbTicketReader(uow.session, theirs).my_tickets()] == ["PMI-CCCC-0001"]
        assert DbTicketReader(uow.session, theirs).my_ticket("PMI-AAAA-0001") is None
        nobody = DbTicketReader(uow.session, None)
        assert nobody.my_tickets() == []
        assert nobody.my_ticket("PMI-AAAA-0001") is None
