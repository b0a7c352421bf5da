"""The ticket repository: opening tickets, their threads and evidence, and the staff actions on
them (take, transfer, close, reopen), each safe against a concurrent action on the same ticket.
Which action is allowed from which status, and where it leads, is the ticket model's
(``flows.ticket_rules``); this module only loads and saves.

State changes are conditional UPDATEs (on the state they start from, or on the version read under
a row lock), so two officers acting at once cannot both win. Audit events are the caller's job,
except for ``open``, which records 'opened' itself so that no ticket ever lacks one."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from flows import ticket_rules as rules
from flows.agencies import NOT_AGENCIES, is_agency
from flows.events import Evidence, NewTicket
from storage.desk_tables import TicketMatchKeyRow, TicketNoteRow
from storage.errors import DuplicateReference
from storage.tables import (
    AuditRow,
    EvidenceRow,
    OutboxRow,
    TicketCopyRow,
    TicketMessageRow,
    TicketRow,
    dump_json,
)

TAKEABLE = rules.sources("take")


def location_text(latitude: float | None, longitude: float | None) -> str | None:
    """A shared location as one (encrypted) column: "lat,lon", the way people write it."""
    if latitude is None or longitude is None:
        return None
    return f"{latitude!r},{longitude!r}"


def _id(ticket: TicketRow) -> int:
    if ticket.id is None:
        raise ValueError("ticket is not stored yet")
    return ticket.id


class TicketRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def open(
        self,
        ticket: NewTicket,
        reporter_user_id: int | None,
        first_response_due: datetime | None,
    ) -> tuple[TicketRow, bool]:
        """Store a new ticket with its copies, evidence and 'opened' audit event.

        Idempotent on ``ticket.idempotency_key``: the same submission handled twice (a redelivered
        update, a double tap) returns (the existing ticket, False) instead of a second ticket."""
        existing = self._by_key(ticket.idempotency_key)
        if existing is not None:
            return existing, False
        row = TicketRow(
            ref=ticket.ref,
            idempotency_key=ticket.idempotency_key,
            kind=ticket.kind,
            category=ticket.category,
            priority=ticket.priority,
            owner=ticket.owner,
            reporter_user_id=reporter_user_id,
            reporter_role=ticket.reporter_role,
            lang=ticket.lang,
            created_at=ticket.created_at,
            updated_at=ticket.created_at,
            first_response_due=first_response_due,
            description=ticket.description,
            victim=ticket.victim,
            victim_name=ticket.victim_name,
            victim_minor=ticket.victim_minor,
            danger_now=ticket.danger_now,
            country=ticket.country,
            city=ticket.city,
            location=location_text(ticket.latitude, ticket.longitude),
            contact_method=ticket.contact_method,
            contact_phone=ticket.contact_phone,
            details=dump_json(dict(ticket.details)),
        )
        try:
            # A savepoint, so that losing a race leaves the rest of the transaction usable.
            with self.session.begin_nested():
                self.session.add(row)
                self.session.flush()
        except IntegrityError as exc:
            existing = self._by_key(ticket.idempotency_key)
            if existing is not None:
                return existing, False
            raise DuplicateReference(ticket.ref) from exc
        ticket_id = _id(row)
        for agency in ticket.copied:
            self.session.add(TicketCopyRow(ticket_id=ticket_id, agency=agency))
        self._add_evidence(ticket_id, None, ticket.evidence, ticket.created_at)
        audit = {
            "category": ticket.category,
            "priority": ticket.priority,
            "owner": ticket.owner,
            "copied": list(ticket.copied),
        }
        self.session.add(
            AuditRow(
                ticket_id=ticket_id,
                actor="reporter",
                action="opened",
                data=dump_json(audit),
                at=ticket.created_at,
            )
        )
        self.session.flush()
        return row, True

    def _by_key(self, idempotency_key: str) -> TicketRow | None:
        return self.session.exec(
            select(TicketRow).where(TicketRow.idempotency_key == idempotency_key)
        ).first()

    def _add_evidence(
        self,
        ticket_id: int,
        message_id: int | None,
        evidence: Iterable[Evidence],
        at: datetime,
    ) -> None:
        for item in evidence:
            self.session.add(
                EvidenceRow(
                    ticket_id=ticket_id,
                    message_id=message_id,
                    kind=item.kind,
                    file_id=item.file_id,
                    mime_type=item.mime_type,
                    size=item.size,
                    name=item.name,
                    created_at=at,
                )
            )

    def ref_exists(self, ref: str) -> bool:
        return self.session.exec(select(TicketRow.id).where(TicketRow.ref == ref)).first() is not None

    def get(self, ref: str) -> TicketRow | None:
        return self.session.exec(select(TicketRow).where(TicketRow.ref == ref)).first()

    def get_for_update(self, ref: str) -> TicketRow | None:
        """The ticket, locked until the end of the transaction on PostgreSQL. (SQLite has no row
        locks; there the whole database is already locked from the first statement on.)"""
        return self.session.exec(
            select(TicketRow)
            .where(TicketRow.ref == ref)
            .with_for_update()
            # A copy already in the session may be older than the row just locked.
            .execution_options(populate_existing=True)
        ).first()

    def copies(self, ticket_id: int) -> list[str]:
        """Agencies copied on the ticket (the owner is never among them)."""
        return list(
            self.session.exec(
                select(TicketCopyRow.agency)
                .where(TicketCopyRow.ticket_id == ticket_id)
                .order_by(col(TicketCopyRow.agency))
            )
        )

    def closed_before(self, cutoff: datetime) -> list[str]:
        """References of closed tickets closed before ``cutoff`` and not yet anonymised, oldest
        first: what retention (``helpline purge``) anonymises."""
        return list(
            self.session.exec(
                select(TicketRow.ref)
                .where(
                    TicketRow.status == rules.CLOSED,
                    col(TicketRow.closed_at) < cutoff,
                    col(TicketRow.anonymised_at).is_(None),
                )
                .order_by(col(TicketRow.closed_at), col(TicketRow.id))
            )
        )

    def list_for_reporter(self, user_id: int) -> list[TicketRow]:
        """The user's tickets, newest first."""
        return list(
            self.session.exec(
                select(TicketRow)
                .where(TicketRow.reporter_user_id == user_id)
                .order_by(col(TicketRow.created_at).desc(), col(TicketRow.id).desc())
            )
        )

    def thread(self, ticket_id: int) -> list[TicketMessageRow]:
        return list(
            self.session.exec(
                select(TicketMessageRow)
                .where(TicketMessageRow.ticket_id == ticket_id)
                .order_by(col(TicketMessageRow.created_at), col(TicketMessageRow.id))
            )
        )

    def evidence(self, ticket_id: int) -> list[EvidenceRow]:
        return list(
            self.session.exec(
                select(EvidenceRow).where(EvidenceRow.ticket_id == ticket_id).order_by(col(EvidenceRow.id))
            )
        )

    def add_message(
        self,
        ticket: TicketRow,
        author: str,
        text: str,
        at: datetime,
        staff_id: int | None = None,
        evidence: Iterable[Evidence] = (),
    ) -> TicketMessageRow:
        """Append to the thread. The first message from an agency is the ticket's first response
        (the SLA clock stops there)."""
        if author not in NOT_AGENCIES and not is_agency(author):
            raise ValueError(f"unknown author {author!r}")
        ticket_id = _id(ticket)
        message = TicketMessageRow(
            ticket_id=ticket_id, author=author, staff_id=staff_id, text=text, created_at=at
        )
        self.session.add(message)
        self.session.flush()
        self._add_evidence(ticket_id, message.id, evidence, at)
        # Unconditional on version: appending to a thread never conflicts with a staff action.
        self.session.exec(
            update(TicketRow)
            .where(col(TicketRow.id) == ticket_id)
            .values(updated_at=at, version=col(TicketRow.version) + 1)
            .execution_options(synchronize_session="evaluate")
        )
        if is_agency(author):
            self.session.exec(
                update(TicketRow)
                .where(col(TicketRow.id) == ticket_id, col(TicketRow.first_response_at).is_(None))
                .values(first_response_at=at)
                .execution_options(synchronize_session="evaluate")
            )
        self.session.flush()
        return message

    def take(self, ref: str, staff_id: int, at: datetime) -> bool:
        """Give the ticket to one officer. A single compare-and-set UPDATE: of two officers
        pressing Take at once, exactly one gets True."""
        result = self.session.exec(
            update(TicketRow)
            .where(
                col(TicketRow.ref) == ref,
                col(TicketRow.taken_by).is_(None),
                col(TicketRow.status).in_(TAKEABLE),
            )
            .values(
                taken_by=staff_id,
                taken_at=at,
                status=rules.next_status("take", rules.OPEN),
                updated_at=at,
                version=col(TicketRow.version) + 1,
            )
            .execution_options(synchronize_session="evaluate")
        )
        return result.rowcount == 1

    def assign(self, ref: str, staff_id: int, at: datetime) -> bool:
        """Give the ticket to this officer (handed to a colleague, or assigned by a supervisor);
        an 'open' ticket becomes 'taken'. False when it is missing, resolved or closed, or is
        theirs already."""
        ticket = self.get_for_update(ref)
        if ticket is None or not rules.assign_changes(ticket.taken_by, staff_id):
            return False
        status = rules.next_status("assign", ticket.status, taken=ticket.taken_by is not None)
        if status is None:
            return False
        return self._change(ticket, at, taken_by=staff_id, taken_at=at, status=status)

    def move_thread(self, from_ticket_id: int, to_ticket_id: int) -> None:
        """Every message and evidence file of one ticket now belongs to another (a merge)."""
        for row_type in (TicketMessageRow, EvidenceRow):
            self.session.exec(
                update(row_type)
                .where(col(row_type.ticket_id) == from_ticket_id)
                .values(ticket_id=to_ticket_id)
                .execution_options(synchronize_session=False)
            )

    def transfer(self, ref: str, to_agency: str, at: datetime) -> bool:
        """Make ``to_agency`` the owner. The old owner keeps a copy (it has seen the case), the
        ticket goes back to 'open' for the new agency to take. False when the ticket is missing,
        closed, or already owned by ``to_agency``."""
        if not is_agency(to_agency):
            raise ValueError(f"unknown agency {to_agency!r}")
        ticket = self.get_for_update(ref)
        if ticket is None or not rules.transfer_changes(ticket.owner, to_agency):
            return False
        status = rules.next_status("transfer", ticket.status)
        if status is None:
            return False
        old_owner = ticket.owner
        if not self._change(ticket, at, owner=to_agency, taken_by=None, taken_at=None, status=status):
            return False
        ticket_id = _id(ticket)
        self.session.exec(
            delete(TicketCopyRow)
            .where(col(TicketCopyRow.ticket_id) == ticket_id, col(TicketCopyRow.agency) == to_agency)
            .execution_options(synchronize_session="evaluate")
        )
        if self.session.get(TicketCopyRow, (ticket_id, old_owner)) is None:
            self.session.add(TicketCopyRow(ticket_id=ticket_id, agency=old_owner))
        self.session.flush()
        return True

    def close(self, ref: str, at: datetime, action: str = "close") -> bool:
        """False when the ticket is missing or ``action`` (close, merge, autoclose, erase) does
        not close it from its status (already closed)."""
        return self.apply(ref, action, at)

    def reopen(self, ref: str, at: datetime) -> bool:
        """Back to the officer who had it ('taken'), or to the agency ('open') if nobody had.
        False when the ticket is missing or not closed."""
        return self.apply(ref, "reopen", at)

    def apply(self, ref: str, action: str, at: datetime) -> bool:
        """Move the ticket where the model says ``action`` takes it; False when the ticket is
        missing, the action is not allowed from its status, or the status stays the same."""
        ticket = self.get_for_update(ref)
        if ticket is None:
            return False
        status = rules.next_status(action, ticket.status, taken=ticket.taken_by is not None)
        if status is None or status == ticket.status:
            return False
        return self._change(ticket, at, status=status, closed_at=at if status == rules.CLOSED else None)

    def anonymise(self, ref: str, at: datetime) -> bool:
        """Remove what identifies the reporter or the victim, keeping what statistics and the
        audit need (category, priority, routing, country, dates). Thread texts and the payloads of
        outbox messages already sent about it are emptied, its evidence deleted. Close the ticket
        first. False when the ticket is missing or already anonymised."""
        ticket = self.get_for_update(ref)
        if ticket is None or ticket.anonymised_at is not None:
            return False
        ticket_id = _id(ticket)
        self.session.exec(
            update(TicketMessageRow)
            .where(col(TicketMessageRow.ticket_id) == ticket_id)
            .values(text="")
            .execution_options(synchronize_session="evaluate")
        )
        self.session.exec(
            delete(EvidenceRow)
            .where(col(EvidenceRow.ticket_id) == ticket_id)
            .execution_options(synchronize_session="evaluate")
        )
        # The console's private notes and duplicate index hold personal data too (the files
        # fetched for the console go with their evidence rows, by cascade).
        for row_type in (TicketNoteRow, TicketMatchKeyRow):
            self.session.exec(
                delete(row_type)
                .where(col(row_type.ticket_id) == ticket_id)
                .execution_options(synchronize_session=False)
            )
        self.session.exec(
            update(OutboxRow)
            .where(
                col(OutboxRow.ticket_ref) == ref,
                or_(col(OutboxRow.sent_at).is_not(None), col(OutboxRow.failed_at).is_not(None)),
            )
            .values(payload=dump_json({}))
            .execution_options(synchronize_session="evaluate")
        )
        return self._change(
            ticket,
            at,
            anonymised_at=at,
            reporter_user_id=None,
            description="",
            victim_name=None,
            city=None,
            location=None,
            contact_phone=None,
            details=dump_json({}),
        )

    def _change(self, ticket: TicketRow, at: datetime, **values: Any) -> bool:
        """Apply ``values`` if the ticket is still at the version it was read at."""
        result = self.session.exec(
            update(TicketRow)
            .where(col(TicketRow.id) == _id(ticket), col(TicketRow.version) == ticket.version)
            .values(updated_at=at, version=col(TicketRow.version) + 1, **values)
            .execution_options(synchronize_session="evaluate")
        )
        return result.rowcount == 1
