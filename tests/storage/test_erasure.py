"""Erasure on request (UU PDP): the person goes, their tickets stay without what identifies them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import select

from flows.events import Evidence
from storage.tables import ConversationRow, OutboxRow, load_json
from storage.uow import UnitOfWork
from tests.storage.conftest import NOW, NewTicketFactory

LATER = NOW + timedelta(days=1)


def test_erasure_removes_the_person_and_anonymises_tickets(
    engine: Engine, new_ticket: NewTicketFactory
) -> None:
    with UnitOfWork(engine) as uow:
        user = uow.users.get_or_create(42, NOW)
        assert user.id is not None
        uow.conversations.save(user.id, {"flow": "report"}, 0, NOW)
        ticket, _ = uow.tickets.open(
            new_ticket(
                victim_name="Siti",
                city="Johor Bahru",
                latitude=1.46,
                longitude=103.76,
                contact_method="phone",
                contact_phone="+60 12 345",
                details={"passport": "X123"},
                evidence=(Evidence("photo", "file-1"),),
            ),
            user.id,
            None,
        )
        uow.tickets.add_message(ticket, "reporter", "Saya di Johor.", NOW)
        uow.links.add(42, 7, ticket.ref, "agency_answer")
        uow.links.add(-100, 8, ticket.ref, "card")
        sent = uow.outbox.enqueue(42, {"text": "Petugas: halo Siti"}, 5, NOW, ticket_ref=ticket.ref)
        pending = uow.outbox.enqueue(42, {"text": "Tiket ditutup"}, 5, NOW, ticket_ref=ticket.ref)
        assert sent is not None and sent.id is not None and pending is not None
        uow.outbox.mark_sent(sent.id, 1, NOW)
        uow.commit()

    with UnitOfWork(engine) as uow:
        user_row = uow.users.get(42)
        assert user_row is not None
        assert uow.tickets.close(ticket.ref, LATER)
        assert uow.tickets.anonymise(ticket.ref, LATER)
        assert not uow.tickets.anonymise(ticket.ref, LATER)
        uow.users.erase(user_row)
        uow.commit()

    with UnitOfWork(engine) as uow:
        assert uow.users.get(42) is None
        assert uow.session.exec(select(ConversationRow)).all() == []
        stored = uow.tickets.get(ticket.ref)
        assert stored is not None and stored.id is not None
        assert (stored.status, stored.anonymised_at, stored.reporter_user_id) == ("closed", LATER, None)
        assert (stored.description, stored.victim_name, stored.city, stored.contact_phone) == (
            "",
            None,
            None,
            None,
        )
        assert (stored.location, load_json(stored.details)) == (None, {})
        assert (stored.category, stored.owner) == ("trafficking", "ppa-ppo")
        assert [m.text for m in uow.tickets.thread(stored.id)] == [""]
        assert uow.tickets.evidence(stored.id) == []
        assert len(uow.audit.for_ticket(stored.id)) == 1
        assert uow.links.find(42, 7) is None
        assert uow.links.find(-100, 8) == (ticket.ref, "card")
        [left] = uow.session.exec(select(OutboxRow)).all()
        assert left.id == pending.id and left.sent_at is None
