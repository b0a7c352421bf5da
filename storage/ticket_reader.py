"""The engine's read port on tickets (``flows.ports.TicketReader``), bound to one reporter.

A reporter sees their own tickets only, and a reference that is not theirs looks exactly like one
that does not exist, so references cannot be probed. Staff appear as their agency, never by name."""

from __future__ import annotations

from sqlmodel import Session, col, select

from flows.agencies import SYSTEM
from flows.ports import ThreadEntry, TicketSummary, TicketView
from storage.tables import TicketMessageRow, TicketRow

# What the reporter may read of the thread: their own messages and the agencies' answers, that
# is everything but the system's notes (an author is "reporter", "system" or an agency's code).
HIDDEN_AUTHOR = SYSTEM


def _summary(ticket: TicketRow) -> TicketSummary:
    return TicketSummary(
        ref=ticket.ref,
        category=ticket.category,
        status=ticket.status,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        owner=ticket.owner,
    )


class DbTicketReader:
    def __init__(self, session: Session, user_id: int | None) -> None:
        self.session = session
        self.user_id = user_id

    def my_tickets(self) -> list[TicketSummary]:
        """Newest first; none for someone not yet known."""
        if self.user_id is None:
            return []
        tickets = self.session.exec(
            select(TicketRow)
            .where(TicketRow.reporter_user_id == self.user_id)
            .order_by(col(TicketRow.created_at).desc(), col(TicketRow.id).desc())
        )
        return [_summary(ticket) for ticket in tickets]

    def my_ticket(self, ref: str) -> TicketView | None:
        if self.user_id is None:
            return None
        ticket = self.session.exec(
            select(TicketRow).where(TicketRow.ref == ref, TicketRow.reporter_user_id == self.user_id)
        ).first()
        if ticket is None:
            return None
        messages = self.session.exec(
            select(TicketMessageRow)
            .where(
                TicketMessageRow.ticket_id == ticket.id,
                col(TicketMessageRow.author) != HIDDEN_AUTHOR,
            )
            .order_by(col(TicketMessageRow.created_at), col(TicketMessageRow.id))
        )
        thread = tuple(
            ThreadEntry(author=message.author, text=message.text, at=message.created_at)
            for message in messages
        )
        return TicketView(summary=_summary(ticket), thread=thread)
