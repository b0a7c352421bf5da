"""The messages of private chats that /hapus may still delete: chat id, message id and when the
message was sent, never what it says.

Telegram lets a bot delete a message in a private chat, the person's as well as its own, for 48
hours after it was sent (Bot API ``deleteMessage``). Past that the ids are useless, so they are
kept no longer: ``prune`` removes them, and whatever reads them asks only for younger ones."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from flows.clear_chat import DELETABLE_FOR
from storage.tables import DeletableMessageRow

__all__ = ["DELETABLE_FOR", "DeletableMessages"]
_TABLE = DeletableMessageRow.__table__  # type: ignore[attr-defined]  # SQLModel declares it untyped
# Run for every message in and out, so built once (see storage/outbox.py).
_ADD = insert(_TABLE)


class DeletableMessages:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, chat_id: int, message_ids: Sequence[int], sent_at: datetime) -> None:
        """Remember messages of a private chat (a person's message, or every part of one the
        bot sent) as sent at ``sent_at``."""
        if not message_ids:
            return
        self.session.execute(
            _ADD,
            [{"chat_id": chat_id, "message_id": m, "sent_at": sent_at} for m in message_ids],
        )

    def in_chat(self, chat_id: int, sent_since: datetime) -> list[int]:
        """The ids of the chat's messages sent at or after ``sent_since``, newest first, each once."""
        rows = self.session.exec(
            select(DeletableMessageRow.message_id)
            .where(
                col(DeletableMessageRow.chat_id) == chat_id,
                col(DeletableMessageRow.sent_at) >= sent_since,
            )
            .distinct()
            .order_by(col(DeletableMessageRow.message_id).desc())
        )
        return list(rows)

    def forget(self, chat_id: int, message_ids: Sequence[int] | None = None) -> None:
        """Forget these messages of the chat (deleted, or past deleting); all of them if None."""
        query = delete(DeletableMessageRow).where(col(DeletableMessageRow.chat_id) == chat_id)
        if message_ids is not None:
            query = query.where(col(DeletableMessageRow.message_id).in_(message_ids))
        self.session.exec(query.execution_options(synchronize_session=False))

    def prune(self, now: datetime) -> None:
        """Forget every message too old for Telegram to delete."""
        self.session.exec(
            delete(DeletableMessageRow)
            .where(col(DeletableMessageRow.sent_at) < now - DELETABLE_FOR)
            .execution_options(synchronize_session=False)
        )
