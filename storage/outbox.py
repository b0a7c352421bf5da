"""The outbox: Telegram messages to send, written in the same transaction as what caused them and
sent afterwards by a sender loop, so a crash never loses a message nor sends one for work that was
rolled back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Row, Select, Update, bindparam, func, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.chat_claims import ChatClaims, held_by_others
from storage.tables import OUTBOX_KINDS, OutboxRow, dump_json

ERROR_LENGTH = 300
Q = TypeVar("Q", bound="Select[Any]")  # a SELECT of the outbox, of rows or of models
_OUTBOX = OutboxRow.__table__  # type: ignore[attr-defined]  # SQLModel declares it untyped
# Run for every update and every message sent, so built once (SQLAlchemy then computes their
# cache keys once), on the table: building an ORM UPDATE and evaluating it against the session
# each time cost more than executing it.
_ENQUEUE = insert(_OUTBOX)
_MARK_SENT: Update = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("b_id"))
    .values(sent_at=bindparam("b_at"), telegram_message_id=bindparam("b_message"))
)


@dataclass(frozen=True)
class Queued:
    """A message for ``OutboxRepository.enqueue_many``: the arguments of ``enqueue`` without a
    dedup key."""

    chat_id: int
    payload: dict[str, Any]
    priority: int
    kind: str = "reply"
    ticket_ref: str | None = None


class OutboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def enqueue(
        self,
        chat_id: int,
        payload: dict[str, Any],
        priority: int,
        now: datetime,
        kind: str = "reply",
        dedup_key: str | None = None,
        ticket_ref: str | None = None,
    ) -> OutboxRow | None:
        """Queue a message; lower ``priority`` goes first. None when a message with the same
        ``dedup_key`` was queued before (a reminder must never go out twice)."""
        if kind not in OUTBOX_KINDS:
            raise ValueError(f"unknown outbox kind {kind!r}")
        row = OutboxRow(
            chat_id=chat_id,
            kind=kind,
            payload=dump_json(payload),
            priority=priority,
            dedup_key=dedup_key,
            ticket_ref=ticket_ref,
            created_at=now,
            not_before=now,
        )
        if dedup_key is None:
            # Nothing unique to clash on: no savepoint needed (it cost two extra statements for
            # every reply; see README, Performance).
            self.session.add(row)
            self.session.flush()
            return row
        try:
            # The unique index decides, not a prior SELECT: two processes may queue the same
            # reminder at once. The savepoint keeps the caller's transaction usable.
            with self.session.begin_nested():
                self.session.add(row)
                self.session.flush()
        except IntegrityError:
            return None
        return row

    def enqueue_many(self, messages: Sequence[Queued], now: datetime) -> None:
        """Queue the replies of one update, in this order, with one INSERT. Building, flushing and
        tracking an ORM row for each was the largest single cost of handling an update, and
        nobody reads these rows back in the same transaction."""
        for message in messages:
            if message.kind not in OUTBOX_KINDS:
                raise ValueError(f"unknown outbox kind {message.kind!r}")
        if not messages:
            return
        # Every column is given, as the ORM would: a Core INSERT applies no model defaults.
        self.session.execute(
            _ENQUEUE,
            [
                {
                    "chat_id": message.chat_id,
                    "kind": message.kind,
                    "payload": dump_json(message.payload),
                    "priority": message.priority,
                    "dedup_key": None,
                    "ticket_ref": message.ticket_ref,
                    "created_at": now,
                    "not_before": now,
                    "attempts": 0,
                    "sent_at": None,
                    "telegram_message_id": None,
                    "failed_at": None,
                    "error": None,
                }
                for message in messages
            ],
        )

    def due(self, now: datetime, limit: int) -> list[OutboxRow]:
        """Messages to send now, most urgent first, in the order they were queued (locked for this
        transaction on PostgreSQL; the sender claims chats instead, with ``claim``)."""
        return list(self.session.exec(_due(select(OutboxRow), now, limit)))

    def claim(
        self,
        now: datetime,
        limit: int,
        lease_until: datetime,
        skip_chats: Sequence[int] = (),
        owner: str = "",
        claim_until: datetime | None = None,
    ) -> list[Row[Any]]:
        """The messages ``due`` would give, as plain rows (id, attempts, chat_id, priority, kind,
        ticket_ref, payload), of chats no other sender holds, leased until ``lease_until`` and
        their chats claimed for ``owner`` until ``claim_until`` (default: as long; the sender
        renews a shorter claim while it sends, so a dead process frees its chats soon) -- until
        ``release``, no other sender sends to them. ``skip_chats``: chats waiting for their rate limit, which
        would otherwise fill every claim and starve the rest of the queue.

        On the table, not the model: the rows are read once and never kept in the session, and an
        ORM UPDATE of the lease walked the session's claimed rows to keep them in step (4% of the
        bot's CPU in the end-to-end benchmark)."""
        # Chats first, then their messages. Picking messages with row locks and skipping locked
        # ones (as before chats were claimed) could skip a chat's first message, locked for a
        # moment by a sender that then lost the chat, and take its second: sent first. The
        # chat claim is what keeps senders apart now, so neither query locks rows.
        candidates = _due(select(_OUTBOX.c.chat_id), now, limit, skip_chats, lock=False).where(
            ~held_by_others(_OUTBOX.c.chat_id, owner, now)
        )
        chats = list(dict.fromkeys(self.session.execute(candidates).scalars()))
        if not chats:
            return []
        # Another sender may have claimed one of these chats since the query looked.
        won = ChatClaims(self.session).take(chats, owner, now, claim_until or lease_until)
        if not won:
            return []
        columns = (
            _OUTBOX.c[name]
            for name in ("id", "attempts", "chat_id", "priority", "kind", "ticket_ref", "payload")
        )
        query = _due(select(*columns), now, limit, lock=False).where(_OUTBOX.c.chat_id.in_(won))
        rows = list(self.session.execute(query))
        if rows:
            self.lease([row.id for row in rows], lease_until)
        return rows

    def release(self, owner: str, chats: Sequence[int], untouched: Sequence[int], now: datetime) -> None:
        """After a round: ``chats`` may be sent to by anyone again, and the ``untouched`` messages
        (claimed but not tried, their chat had to wait) are due again at once."""
        ChatClaims(self.session).release(chats, owner)
        if untouched:
            self.lease(untouched, now)

    def renew_chats(self, owner: str, chats: Sequence[int], until: datetime) -> None:
        """``owner`` is still sending to these chats: its claims last until ``until``."""
        ChatClaims(self.session).renew(chats, owner, until)

    def take_over(self, owner: str, now: datetime) -> int:
        """A sender started again under the name of one that died: the messages it had leased
        in the chats it held are due again now, and the chats are free (this sender claims
        them as any other). How many chats it held."""
        held = ChatClaims(self.session).held_by(owner)
        if held:
            self.session.execute(
                update(_OUTBOX)
                .where(
                    _OUTBOX.c.chat_id.in_(held),
                    _OUTBOX.c.sent_at.is_(None),
                    _OUTBOX.c.failed_at.is_(None),
                    _OUTBOX.c.not_before > now,
                )
                .values(not_before=now)
            )
            ChatClaims(self.session).release(held, owner)
        return len(held)

    def hold_chat(self, owner: str, chat_id: int, until: datetime) -> None:
        """A message of ``chat_id`` waits for a retry: no one else sends to the chat before."""
        ChatClaims(self.session).hold(chat_id, owner, until)

    def lease(self, outbox_ids: Sequence[int], until: datetime) -> None:
        """Keep these messages from every sender until ``until`` (now: due again at once)."""
        self.session.execute(update(_OUTBOX).where(_OUTBOX.c.id.in_(outbox_ids)).values(not_before=until))

    def _set(self, outbox_id: int, **values: Any) -> None:
        # On the table: rows of the outbox are never kept in a session while their state changes.
        self.session.execute(update(_OUTBOX).where(_OUTBOX.c.id == outbox_id).values(**values))

    def mark_sent(self, outbox_id: int, telegram_message_id: int | None, at: datetime) -> None:
        """Done; ``telegram_message_id`` is the (last) message sent, None for a deletion."""
        self.session.execute(_MARK_SENT, {"b_id": outbox_id, "b_at": at, "b_message": telegram_message_id})

    def mark_failed(self, outbox_id: int, error: str, at: datetime) -> None:
        """Give up on the message (e.g. the user blocked the bot); it counts as one more attempt."""
        self._set(
            outbox_id,
            failed_at=at,
            error=error[:ERROR_LENGTH],
            attempts=_OUTBOX.c.attempts + 1,
        )

    def retry_later(self, outbox_id: int, not_before: datetime, error: str) -> None:
        self._set(
            outbox_id,
            not_before=not_before,
            error=error[:ERROR_LENGTH],
            attempts=_OUTBOX.c.attempts + 1,
        )

    def pending_count(self) -> int:
        """Messages neither sent nor given up on, due or not."""
        return self.session.exec(
            select(func.count(col(OutboxRow.id))).where(
                col(OutboxRow.sent_at).is_(None), col(OutboxRow.failed_at).is_(None)
            )
        ).one()


def _due(query: Q, now: datetime, limit: int, skip_chats: Sequence[int] = (), *, lock: bool = True) -> Q:
    query = query.where(
        _OUTBOX.c.sent_at.is_(None), _OUTBOX.c.failed_at.is_(None), _OUTBOX.c.not_before <= now
    )
    if skip_chats:
        query = query.where(_OUTBOX.c.chat_id.not_in(skip_chats))
    query = query.order_by(_OUTBOX.c.priority, _OUTBOX.c.id).limit(limit)
    return query.with_for_update(skip_locked=True) if lock else query
