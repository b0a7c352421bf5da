"""Finds the message a ticket's card was posted as in a chat, to edit it or thread under it."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.tables import LinkRow


def card_message_id(session: Session, chat_id: int, ticket_ref: str) -> int | None:
    """The latest card of ``ticket_ref`` in ``chat_id`` (a transfer may post it again)."""
    return session.exec(
        select(func.max(col(LinkRow.message_id))).where(
            col(LinkRow.chat_id) == chat_id,
            col(LinkRow.ticket_ref) == ticket_ref,
            col(LinkRow.purpose) == "card",
        )
    ).one()
