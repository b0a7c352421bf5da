"""Which sender may write to a chat now: one row per chat being sent to, with its owner and how
long the claim lasts.

Several bot processes send from one outbox. Row locks (``FOR UPDATE SKIP LOCKED``) and row leases
keep two senders from sending the same message, but not from sending two messages of the same
chat at once: process A could hold a person's first reply while B took the second and sent it
first. So the outbox is claimed per chat: a sender takes only messages of chats nobody else
holds, and holds each chat until what it took is sent and recorded (or, after a failure, until
the retry is due, so that later messages do not overtake it). A claim, like a lease, runs out on
its own when its process dies.

A table rather than PostgreSQL advisory locks: a claim must outlive the transaction that took
it (sending happens after commit) and the connection (returned to the pool), and must expire
when the process is gone without anyone noticing. It works the same on SQLite, where the one
writer at a time makes it trivially correct."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import BigInteger, delete, exists, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Field, Session, SQLModel

from storage.tables import UTCDateTime

OWNER_LENGTH = 64


class OutboxChatRow(SQLModel, table=True):
    """A chat one sender is writing to, until ``until``."""

    __tablename__ = "outbox_chats"

    chat_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    owner: str = Field(max_length=OWNER_LENGTH)
    until: datetime = Field(sa_type=UTCDateTime())


_CHATS = OutboxChatRow.__table__  # type: ignore[attr-defined]  # SQLModel declares it untyped


def held_by_others(chat_id: ColumnElement[int], owner: str, now: datetime) -> ColumnElement[bool]:
    """True for a chat another sender holds now (a condition for the outbox's due query)."""
    return exists().where(_CHATS.c.chat_id == chat_id, _CHATS.c.owner != owner, _CHATS.c.until > now)


class ChatClaims:
    def __init__(self, session: Session) -> None:
        self.session = session

    def take(self, chats: Iterable[int], owner: str, now: datetime, until: datetime) -> set[int]:
        """Claims ``chats`` for ``owner`` until ``until``; the ones it got. A chat another sender
        holds is not taken; one whose claim ran out is. Two senders claiming one chat at once
        queue on its primary key, and the second then sees the first's claim."""
        values = [{"chat_id": chat, "owner": owner, "until": until} for chat in sorted(set(chats))]
        if not values:
            return set()
        dialect = self.session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(_CHATS).values(values)
        claim = statement.on_conflict_do_update(
            index_elements=[_CHATS.c.chat_id],
            set_={"owner": statement.excluded.owner, "until": statement.excluded.until},
            where=(_CHATS.c.until <= now) | (_CHATS.c.owner == owner),
        ).returning(_CHATS.c.chat_id)
        return {row[0] for row in self.session.execute(claim)}

    def renew(self, chats: Sequence[int], owner: str, until: datetime) -> None:
        """Extends ``owner``'s claims on ``chats`` to ``until``; never shortens one (a chat held
        for a retry keeps its longer claim)."""
        if chats:
            self.session.execute(
                update(_CHATS)
                .where(_CHATS.c.owner == owner, _CHATS.c.chat_id.in_(chats), _CHATS.c.until < until)
                .values(until=until)
            )

    def hold(self, chat_id: int, owner: str, until: datetime) -> None:
        """Keeps a chat of ``owner``'s until ``until`` (a message of it waits for a retry)."""
        self.session.execute(
            update(_CHATS).where(_CHATS.c.chat_id == chat_id, _CHATS.c.owner == owner).values(until=until)
        )

    def held_by(self, owner: str) -> list[int]:
        """The chats ``owner`` holds (a process taking over from its predecessor)."""
        return list(self.session.execute(select(_CHATS.c.chat_id).where(_CHATS.c.owner == owner)).scalars())

    def release(self, chats: Sequence[int], owner: str) -> None:
        """What ``owner`` took of these chats is sent and recorded: anyone may send to them."""
        if chats:
            self.session.execute(delete(_CHATS).where(_CHATS.c.owner == owner, _CHATS.c.chat_id.in_(chats)))
