"""The first statements of every incoming update, in as few round trips as the database allows:
claim the update id (so a redelivered one is handled once), keep the person's message id for
/hapus, then read the person and their dialogue state.

On PostgreSQL these are one statement: the claim and the message id are INSERTs in a WITH clause,
joined to the person's row and conversation, so an update begins with one round trip instead of
four (each one is a wake-up of the server and of this process, which cost more than the
statements). Both stay part of the update's transaction: a rolled-back update stays unclaimed,
and a redelivered one (claimed before) is rolled back with its message id. SQLite cannot INSERT
in a WITH clause; there they are statements of their own, in process and cheap, and the person
and the conversation are read with one join."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, literal, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlmodel import Session, col

from storage.deletable import DeletableMessages
from storage.repositories import UpdateLog, UserRepository
from storage.tables import ConversationRow, DeletableMessageRow, ProcessedUpdateRow, UserRow, load_json

_CONVERSATIONS: Table = ConversationRow.__table__  # type: ignore[attr-defined]  # SQLModel leaves it untyped
_PROCESSED: Table = ProcessedUpdateRow.__table__  # type: ignore[attr-defined]
_DELETABLE: Table = DeletableMessageRow.__table__  # type: ignore[attr-defined]


# Built once with bound parameters: they run for every update (see storage/repositories.py).
# The person (an ORM row) and their state and version (None without a conversation yet).
_READ = (
    select(UserRow, _CONVERSATIONS.c.state, _CONVERSATIONS.c.version)
    .outerjoin(_CONVERSATIONS, _CONVERSATIONS.c.user_id == UserRow.id)
    .where(col(UserRow.telegram_id) == bindparam("telegram_id"))
)
_CLAIM = (
    postgresql_insert(_PROCESSED)
    .values(source=bindparam("source"), update_id=bindparam("update_id"), processed_at=bindparam("now"))
    .on_conflict_do_nothing()
    .returning(literal(1))
    .cte("claim")
)
# One row always: the claim's count (1 when new), then the person, if any, and their state.
_CLAIMED = select(func.count().label("claimed")).select_from(_CLAIM).subquery("claimed")
_CLAIM_AND_READ = (
    select(_CLAIMED.c.claimed, UserRow, _CONVERSATIONS.c.state, _CONVERSATIONS.c.version)
    .select_from(_CLAIMED)
    .outerjoin(UserRow, col(UserRow.telegram_id) == bindparam("telegram_id"))
    .outerjoin(_CONVERSATIONS, _CONVERSATIONS.c.user_id == UserRow.id)
)
# The same with the person's message id kept (storage/deletable.py): a WITH clause nobody reads
# still runs, once and to the end.
_KEEP = (
    postgresql_insert(_DELETABLE)
    .values(
        chat_id=bindparam("telegram_id"), message_id=bindparam("message_id"), sent_at=bindparam("sent_at")
    )
    .cte("kept")
)
_CLAIM_KEEP_AND_READ = _CLAIM_AND_READ.add_cte(_KEEP)


@dataclass(frozen=True)
class Started:
    """An update's start: None when its id was claimed before (nothing more to do)."""

    user: UserRow
    state: dict[str, Any] | None  # None for a person without a conversation yet
    version: int  # 0 without a conversation


def start_update(
    session: Session,
    telegram_id: int,
    now: datetime,
    *,
    source: str,
    update_id: int | None,
    message: tuple[int, datetime] | None = None,
) -> Started | None:
    """Claims ``update_id`` (when given), keeps ``message`` (the person's message id and when it
    was sent) for /hapus, and loads the person, created on their first message, with their
    dialogue state; None when the update was handled before (then the caller rolls back)."""
    user: UserRow | None
    if update_id is not None and session.get_bind().dialect.name == "postgresql":
        params: dict[str, Any] = {
            "source": source,
            "update_id": update_id,
            "now": now,
            "telegram_id": telegram_id,
        }
        if message is not None:
            params |= {"message_id": message[0], "sent_at": message[1]}
        row = session.execute(_CLAIM_AND_READ if message is None else _CLAIM_KEEP_AND_READ, params).one()
        if row[0] != 1:
            return None
        user, state, version = row[1], row[2], row[3]
    else:
        if update_id is not None and not UpdateLog(session).claim(source, update_id, now):
            return None
        if message is not None:
            DeletableMessages(session).add(telegram_id, [message[0]], message[1])
        found = session.execute(_READ, {"telegram_id": telegram_id}).first()
        user, state, version = (found[0], found[1], found[2]) if found is not None else (None, None, None)
    if user is None:
        return Started(UserRepository(session).create(telegram_id, now), None, 0)
    if state is None:
        return Started(user, None, 0)
    return Started(user, load_json(state), version)
