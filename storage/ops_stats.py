"""What the monitoring endpoint (bot/metrics.py) reads from the database: figures that are the
same whichever bot process is asked, so they are read when asked rather than kept by each
process. Counts and durations only: never a person, a chat or a ticket."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from storage.tables import AuditRow, OutboxRow, TicketRow

ESCALATED = "sla_escalated"  # the audit action of bot/scheduler.py's escalation


def outbox_oldest_seconds(session: Session, now: datetime) -> float:
    """Age of the oldest message neither sent nor given up on; 0 when none waits."""
    oldest: datetime | None = session.execute(
        select(func.min(col(OutboxRow.created_at))).where(
            col(OutboxRow.sent_at).is_(None), col(OutboxRow.failed_at).is_(None)
        )
    ).scalar()
    if oldest is None:
        return 0.0
    return max(0.0, (now - oldest).total_seconds())


def tickets_by_agency_status(session: Session) -> dict[tuple[str, str], int]:
    rows = session.execute(
        select(col(TicketRow.owner), col(TicketRow.status), func.count()).group_by(
            col(TicketRow.owner), col(TicketRow.status)
        )
    )
    return {(owner, status): count for owner, status, count in rows}


def sla_breaches(session: Session) -> dict[tuple[str, str], int]:
    """Tickets escalated for a missed first-response target, by owning agency and priority."""
    rows = session.execute(
        select(col(TicketRow.owner), col(TicketRow.priority), func.count())
        .join(AuditRow, col(AuditRow.ticket_id) == col(TicketRow.id))
        .where(col(AuditRow.action) == ESCALATED)
        .group_by(col(TicketRow.owner), col(TicketRow.priority))
    )
    return {(owner, priority): count for owner, priority, count in rows}


def first_response_seconds(session: Session) -> list[float]:
    """For each answered ticket, the seconds from opening to the first answer."""
    rows = session.execute(
        select(col(TicketRow.created_at), col(TicketRow.first_response_at)).where(
            col(TicketRow.first_response_at).is_not(None)
        )
    )
    return [(answered - opened).total_seconds() for opened, answered in rows]
