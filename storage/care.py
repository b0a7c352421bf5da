"""Queries and writes of time-driven care: what may be due (for the pure rules in ``flows.care``
to decide), the row locks and claims that make each piece of work happen once, check-ins and
satisfaction answers.

Exactly once, with several bot processes on one PostgreSQL: the worker locks the ticket with
``FOR UPDATE SKIP LOCKED`` (another process busy with it is skipped, not waited for), reads the facts
again under the lock, and inserts the claim in the same transaction as the work; the claim's
primary key is the final word if two ever got that far. On SQLite the first statement of a
transaction already locks the database (``BEGIN IMMEDIATE``), so there is nothing to skip."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Insert, and_, exists, or_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from flows import ticket_rules as rules
from flows.agencies import NOT_AGENCIES
from flows.care import ESCALATE, CheckinFacts, Delays, TicketFacts
from storage.care_tables import CareClaimRow, CheckinRow, SatisfactionRow
from storage.tables import TicketMessageRow, TicketRow


def _id(ticket: TicketRow) -> int:
    if ticket.id is None:
        raise ValueError("ticket is not stored yet")
    return ticket.id


class CareRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- what may be due ---------------------------------------------------------------------
    def ticket_candidates(self, now: datetime, delays: Delays) -> list[TicketFacts]:
        """Tickets a rule might find due now: overdue and untaken (not escalated yet), waiting on
        their reporter, or resolved and quiet for the auto-close delay. A superset; the rules
        decide."""
        escalated = exists().where(
            col(CareClaimRow.ticket_id) == col(TicketRow.id), col(CareClaimRow.kind) == ESCALATE
        )
        rows = self.session.exec(
            select(TicketRow)
            .where(
                or_(
                    and_(
                        col(TicketRow.status) == rules.OPEN,
                        col(TicketRow.taken_by).is_(None),
                        col(TicketRow.first_response_at).is_(None),
                        col(TicketRow.first_response_due) <= now,
                        ~escalated,
                    ),
                    col(TicketRow.status) == rules.WAITING,
                    and_(
                        col(TicketRow.status).in_(rules.sources("autoclose")),
                        col(TicketRow.updated_at) <= now - delays.autoclose_after,
                    ),
                )
            )
            .order_by(col(TicketRow.id))
        )
        return [self.facts(row) for row in rows]

    def checkin_candidates(self, now: datetime, delays: Delays) -> list[CheckinFacts]:
        """Active check-ins of live tickets whose next prompt is due, or whose last prompt went
        unanswered past the grace period."""
        rows = self.session.exec(
            select(CheckinRow)
            .join(TicketRow, col(TicketRow.id) == col(CheckinRow.ticket_id))
            .where(
                col(CheckinRow.active),
                # Check-ins stop by themselves once their ticket is over (rules.checkins_run).
                col(TicketRow.status).not_in(rules.FINISHED),
                or_(
                    and_(col(CheckinRow.awaiting_since).is_(None), col(CheckinRow.next_due) <= now),
                    col(CheckinRow.awaiting_since) <= now - delays.checkin_grace,
                ),
            )
            .order_by(col(CheckinRow.ticket_id))
        )
        return [checkin_facts(row) for row in rows]

    def facts(self, ticket: TicketRow) -> TicketFacts:
        ticket_id = _id(ticket)
        last_answer = self.session.exec(
            select(TicketMessageRow.created_at, TicketMessageRow.id)
            .where(
                col(TicketMessageRow.ticket_id) == ticket_id,
                col(TicketMessageRow.author).not_in(NOT_AGENCIES),
            )
            .order_by(col(TicketMessageRow.created_at).desc(), col(TicketMessageRow.id).desc())
            .limit(1)
        ).first()
        claims = self.session.exec(
            select(CareClaimRow.kind, CareClaimRow.seq).where(col(CareClaimRow.ticket_id) == ticket_id)
        )
        return TicketFacts(
            ticket_id=ticket_id,
            status=ticket.status,
            version=ticket.version,
            country=ticket.country,
            first_response_due=ticket.first_response_due,
            taken=ticket.taken_by is not None,
            answered=ticket.first_response_at is not None,
            last_activity=ticket.updated_at,
            waiting_since=last_answer[0] if last_answer and rules.awaits_reporter(ticket.status) else None,
            waiting_seq=int(last_answer[1] or 0) if last_answer else 0,
            claims=frozenset((kind, seq) for kind, seq in claims),
        )

    # -- doing it once -----------------------------------------------------------------------
    def lock_ticket(self, ticket_id: int) -> TicketRow | None:
        """The ticket, locked for this transaction; None when it is gone or another process
        holds it (that process is doing the work, or a staff action is under way)."""
        return self.session.exec(
            select(TicketRow)
            .where(col(TicketRow.id) == ticket_id)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        ).first()

    def claim(self, ticket_id: int, kind: str, seq: int, now: datetime) -> bool:
        """True the first time (ticket, kind, seq) is claimed; a rolled-back claim never was."""
        values: dict[str, Any] = {"ticket_id": ticket_id, "kind": kind, "seq": seq, "claimed_at": now}
        dialect = self.session.get_bind().dialect.name
        statement: Insert
        if dialect == "postgresql":
            statement = postgresql_insert(CareClaimRow).values(**values).on_conflict_do_nothing()
        else:
            statement = sqlite_insert(CareClaimRow).values(**values).on_conflict_do_nothing()
        return self.session.exec(statement.execution_options(preserve_rowcount=True)).rowcount == 1

    def raise_to_urgent(self, ticket: TicketRow, now: datetime) -> bool:
        """False when it already was urgent."""
        priority = rules.raised(ticket.priority)
        if priority is None:
            return False
        self.session.exec(
            update(TicketRow)
            .where(col(TicketRow.id) == _id(ticket))
            .values(priority=priority, updated_at=now, version=col(TicketRow.version) + 1)
            .execution_options(synchronize_session="evaluate")
        )
        return True

    # -- check-ins ---------------------------------------------------------------------------
    def checkin(self, ticket_id: int) -> CheckinRow | None:
        """The ticket's check-ins, locked (lock the ticket first: always in that order)."""
        return self.session.exec(
            select(CheckinRow)
            .where(col(CheckinRow.ticket_id) == ticket_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()

    def start_checkins(self, ticket_id: int, interval: timedelta, now: datetime) -> CheckinRow:
        row = self.checkin(ticket_id) or CheckinRow(
            ticket_id=ticket_id, interval_seconds=0, next_due=now, created_at=now
        )
        row.interval_seconds = int(interval.total_seconds())
        row.next_due = now + interval
        row.awaiting_since = None
        row.active = True
        return self._save(row)

    def stop_checkins(self, row: CheckinRow) -> CheckinRow:
        row.active = False
        row.awaiting_since = None
        return self._save(row)

    def prompted(self, row: CheckinRow, now: datetime) -> CheckinRow:
        row.seq += 1
        row.awaiting_since = now
        row.next_due = now + timedelta(seconds=row.interval_seconds)
        return self._save(row)

    def answered(self, row: CheckinRow, answer: str, now: datetime) -> CheckinRow:
        """``answer``: safe | unsafe | missed. The next prompt counts from now."""
        row.awaiting_since = None
        row.last_answer = answer
        row.last_answer_at = now
        row.next_due = now + timedelta(seconds=row.interval_seconds)
        return self._save(row)

    def _save(self, row: CheckinRow) -> CheckinRow:
        self.session.add(row)
        self.session.flush()
        return row

    # -- satisfaction ------------------------------------------------------------------------
    def record_satisfaction(self, ticket_id: int, helpful: bool, now: datetime) -> None:
        """The last answer counts: a second tap changes it."""
        row = self.session.get(SatisfactionRow, ticket_id) or SatisfactionRow(
            ticket_id=ticket_id, helpful=helpful, answered_at=now
        )
        row.helpful, row.answered_at = helpful, now
        self.session.add(row)
        self.session.flush()

    def satisfaction(self, ticket_id: int) -> bool | None:
        row = self.session.get(SatisfactionRow, ticket_id)
        return None if row is None else row.helpful


def checkin_facts(row: CheckinRow) -> CheckinFacts:
    return CheckinFacts(row.ticket_id, row.next_due, row.seq, row.awaiting_since)
