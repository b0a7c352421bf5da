"""Finds the messages a ticket's card was posted as in a chat, to edit them or thread under them.

A card longer than Telegram's 4,096 characters is several messages, its pieces. Each is linked
to the ticket (a reply to any of them joins its thread), and the link's purpose says which part
of the card it is: ``card`` the first piece, ``card_more`` a later one in use, ``card_spare`` a
piece left over when the card got shorter (it shows a short note, and is used again in place
when the card grows), ``card_old`` a piece no longer part of the card at all. The pieces of a
card are the latest ``card`` in the chat (a transfer or /lihat may post the card again) and the
``card_more`` and ``card_spare`` messages after it, in message-id order: Telegram numbers a
chat's messages in the order they are sent, and a piece is only ever added after the last, so
that order is the card's. No migration: a card posted before pieces were told apart has every
piece linked as ``card``, and its last piece is taken as the whole card."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.tables import LinkRow

CARD = "card"
CARD_MORE = "card_more"
CARD_SPARE = "card_spare"
CARD_OLD = "card_old"


def card_message_id(session: Session, chat_id: int, ticket_ref: str) -> int | None:
    """The first piece of the latest card of ``ticket_ref`` in ``chat_id``."""
    return session.exec(
        select(func.max(col(LinkRow.message_id))).where(
            col(LinkRow.chat_id) == chat_id,
            col(LinkRow.ticket_ref) == ticket_ref,
            col(LinkRow.purpose) == CARD,
        )
    ).one()


def card_pieces(session: Session, chat_id: int, ticket_ref: str) -> list[tuple[int, str]]:
    """The latest card's messages in order, each with its purpose: the first piece, then the
    later ones and the spares; none when the card was never posted in this chat."""
    first = card_message_id(session, chat_id, ticket_ref)
    if first is None:
        return []
    later = session.exec(
        select(LinkRow.message_id, LinkRow.purpose)
        .where(
            col(LinkRow.chat_id) == chat_id,
            col(LinkRow.ticket_ref) == ticket_ref,
            col(LinkRow.purpose).in_((CARD_MORE, CARD_SPARE)),
            col(LinkRow.message_id) > first,
        )
        .order_by(col(LinkRow.message_id))
    )
    return [(first, CARD), *((message_id, purpose) for message_id, purpose in later)]
