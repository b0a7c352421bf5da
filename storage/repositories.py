"""Repositories of the small records: users, conversation state, processed updates, the audit
trail, staff membership and message links. Tickets and the outbox have modules of their own.

Every method takes the time it should record from the caller; storage never reads the clock."""

from __future__ import annotations

import builtins
import functools
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Insert, Table, bindparam, delete, or_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel, col, select

from storage.errors import ConcurrentUpdate
from storage.tables import (
    AuditRow,
    ConversationRow,
    DeletableMessageRow,
    LinkRow,
    OutboxRow,
    ProcessedUpdateRow,
    StaffRow,
    UserRow,
    dump_json,
    load_json,
)


def _insert_unless_present(session: Session, row_type: type[SQLModel], **values: Any) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when the row was new.

    Unlike a SELECT followed by an INSERT, this is right when another transaction inserts the same
    key at the same moment: PostgreSQL makes the second one wait for the first and then skip."""
    statement = _insert_statement(session.get_bind().dialect.name, row_type, tuple(values))
    return cast(CursorResult[Any], session.execute(statement, values)).rowcount == 1


@functools.cache
def _insert_statement(dialect: str, row_type: type[SQLModel], columns: tuple[str, ...]) -> Insert:
    """The statement of ``_insert_unless_present``, built once: it runs for every update (the
    claim), and building it each time cost several times more than executing it. On the table,
    not the model, so that it stays a plain Core INSERT that keeps its row count."""
    table: Table = row_type.__table__  # type: ignore[attr-defined]  # SQLModel leaves it untyped
    statement: Insert
    if dialect == "postgresql":
        statement = postgresql_insert(table)
    elif dialect == "sqlite":
        statement = sqlite_insert(table)
    else:
        raise NotImplementedError(f"unsupported database: {dialect}")
    values = statement.values({column: bindparam(column) for column in columns})
    # SQLAlchemy only keeps the rowcount of an INSERT when asked to.
    return values.on_conflict_do_nothing().execution_options(preserve_rowcount=True)


# Statements run for every update, built once with bound parameters (see _insert_statement).
_USER_BY_TELEGRAM_ID = select(UserRow).where(UserRow.telegram_id == bindparam("telegram_id"))
_CONVERSATION = select(ConversationRow.state, ConversationRow.version).where(
    ConversationRow.user_id == bindparam("user_id")
)
_CONVERSATION_TABLE: Table = ConversationRow.__table__  # type: ignore[attr-defined]
_SAVE_CONVERSATION = (
    update(_CONVERSATION_TABLE)
    .where(
        _CONVERSATION_TABLE.c.user_id == bindparam("b_user_id"),
        _CONVERSATION_TABLE.c.version == bindparam("b_expected"),
    )
    .values(state=bindparam("b_state"), version=bindparam("b_version"), updated_at=bindparam("b_now"))
)


class UserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, telegram_id: int) -> UserRow | None:
        return self.session.exec(_USER_BY_TELEGRAM_ID, params={"telegram_id": telegram_id}).first()

    def get_or_create(self, telegram_id: int, now: datetime) -> UserRow:
        user = self.get(telegram_id)
        return user if user is not None else self.create(telegram_id, now)

    def create(self, telegram_id: int, now: datetime) -> UserRow:
        """The row of a person not seen before (or, when another process inserted it at the same
        moment, that one)."""
        # INSERT ... ON CONFLICT DO NOTHING, then read: right when two first messages of a new
        # user are handled at once by two processes, without the savepoint and ORM flush that
        # made a first message cost twice a later one. The model gives every column its default
        # (a Core INSERT applies none); the id is the database's.
        row = UserRow(telegram_id=telegram_id, created_at=now).model_dump(exclude={"id"})
        _insert_unless_present(self.session, UserRow, **row)
        user = self.get(telegram_id)
        if user is None:  # cannot happen: inserted or already there, in this transaction
            raise RuntimeError("user row missing after insert")
        return user

    def record_consent(self, user: UserRow, version: str, lang: str, scope: str, at: datetime) -> None:
        user.consent_version = version
        user.consent_lang = lang
        user.consent_scope = scope
        user.consent_at = at
        self.session.add(user)

    def set_lang(self, user: UserRow, lang: str) -> None:
        user.lang = lang
        self.session.add(user)

    def set_role(self, user: UserRow, role: str) -> None:
        user.role = role
        self.session.add(user)

    def set_reads_safely(self, user: UserRow, reads_safely: bool) -> None:
        user.reads_safely = reads_safely
        self.session.add(user)

    def set_country(self, user: UserRow, country: str) -> None:
        user.country = country
        self.session.add(user)

    def mark_blocked(self, telegram_id: int, at: datetime) -> None:
        """The user blocked the bot: stop writing to them (Telegram refuses it anyway)."""
        self.session.exec(
            update(UserRow)
            .where(col(UserRow.telegram_id) == telegram_id)
            .values(blocked_at=at)
            .execution_options(synchronize_session="evaluate")
        )

    def erase(self, user: UserRow) -> None:
        """Erase the person on request (UU PDP): their row, their conversation (by cascade), and
        what links their chat to tickets or keeps what was said to them: message links,
        messages already sent and the ids /hapus would delete. Their tickets must be anonymised
        first (``tickets.anonymise``). Messages still waiting in the outbox are left to be sent."""
        chat_id = user.telegram_id
        self.session.delete(user)
        self.session.flush()
        self.session.exec(
            delete(LinkRow)
            .where(col(LinkRow.chat_id) == chat_id)
            .execution_options(synchronize_session="evaluate")
        )
        self.session.exec(
            delete(OutboxRow)
            .where(
                col(OutboxRow.chat_id) == chat_id,
                or_(col(OutboxRow.sent_at).is_not(None), col(OutboxRow.failed_at).is_not(None)),
            )
            .execution_options(synchronize_session="evaluate")
        )
        self.session.exec(
            delete(DeletableMessageRow)
            .where(col(DeletableMessageRow.chat_id) == chat_id)
            .execution_options(synchronize_session=False)
        )


class ConversationRepository:
    """Dialogue state, saved with optimistic concurrency: two updates of the same user handled at
    once cannot both save a state computed from the same old one."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def load(self, user_id: int) -> tuple[dict[str, Any] | None, int]:
        """(state, version); (None, 0) for a user without a conversation yet."""
        row = self.session.exec(_CONVERSATION, params={"user_id": user_id}).first()
        if row is None:
            return None, 0
        state: dict[str, Any] = load_json(row[0])
        return state, row[1]

    def save(self, user_id: int, state: dict[str, Any], expected_version: int, now: datetime) -> int:
        """Store ``state`` if the stored version is still ``expected_version``; the new version.

        Raises ConcurrentUpdate otherwise."""
        text = dump_json(state)
        if expected_version == 0:
            # ON CONFLICT DO NOTHING rather than a savepoint around an INSERT (as for users).
            if not _insert_unless_present(
                self.session, ConversationRow, user_id=user_id, state=text, version=1, updated_at=now
            ):
                raise ConcurrentUpdate(f"conversation of user {user_id} was created")
            return 1
        # On the table, so no ORM machinery: conversations are read as columns, never as rows
        # that would need synchronising (the model statement said synchronize_session=False).
        result = self.session.execute(
            _SAVE_CONVERSATION,
            {
                "b_user_id": user_id,
                "b_expected": expected_version,
                "b_state": text,
                "b_version": expected_version + 1,
                "b_now": now,
            },
        )
        if cast(CursorResult[Any], result).rowcount != 1:
            raise ConcurrentUpdate(f"conversation of user {user_id} is not at {expected_version}")
        return expected_version + 1


class UpdateLog:
    """Incoming updates already handled, so a redelivered update is handled once."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(self, source: str, update_id: int, now: datetime) -> bool:
        """True the first time; the claim is part of the transaction, so a rolled-back update
        stays unclaimed and is handled again when it is redelivered."""
        return _insert_unless_present(
            self.session,
            ProcessedUpdateRow,
            source=source,
            update_id=update_id,
            processed_at=now,
        )


class AuditRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(
        self, ticket_id: int | None, actor: str, action: str, data: dict[str, Any], at: datetime
    ) -> AuditRow:
        """``data`` holds ids and choices, never what the reporter wrote: the trail outlives
        erasure of the reporter's data."""
        row = AuditRow(ticket_id=ticket_id, actor=actor, action=action, data=dump_json(data), at=at)
        self.session.add(row)
        self.session.flush()
        return row

    def for_ticket(self, ticket_id: int) -> list[AuditRow]:
        return list(
            self.session.exec(
                select(AuditRow)
                .where(AuditRow.ticket_id == ticket_id)
                .order_by(col(AuditRow.at), col(AuditRow.id))
            )
        )


class StaffRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _row(self, telegram_id: int, agency: str) -> StaffRow | None:
        return self.session.exec(
            select(StaffRow).where(StaffRow.telegram_id == telegram_id, StaffRow.agency == agency)
        ).first()

    def add(self, telegram_id: int, agency: str, name: str, now: datetime) -> StaffRow:
        """Register an officer, or bring back one removed earlier (their tickets still point at
        the same row)."""
        row = self._row(telegram_id, agency)
        if row is None:
            row = StaffRow(telegram_id=telegram_id, agency=agency, name=name, created_at=now)
        row.name = name
        row.active = True
        self.session.add(row)
        self.session.flush()
        return row

    def remove(self, telegram_id: int, agency: str) -> bool:
        """Mark inactive; False when there was no active officer to remove."""
        row = self._row(telegram_id, agency)
        if row is None or not row.active:
            return False
        row.active = False
        self.session.add(row)
        self.session.flush()
        return True

    # ``builtins.list`` below: inside this class body ``list`` is the method.
    def list(self, agency: str | None = None) -> builtins.list[StaffRow]:
        """Active officers, of one agency or of all."""
        query = select(StaffRow).where(col(StaffRow.active))
        if agency is not None:
            query = query.where(StaffRow.agency == agency)
        query = query.order_by(col(StaffRow.agency), col(StaffRow.name), col(StaffRow.id))
        return builtins.list(self.session.exec(query))

    def memberships(self, telegram_id: int) -> builtins.list[StaffRow]:
        """The agencies this Telegram user may act for, as their active staff rows."""
        return builtins.list(
            self.session.exec(
                select(StaffRow)
                .where(StaffRow.telegram_id == telegram_id, col(StaffRow.active))
                .order_by(col(StaffRow.agency))
            )
        )


class LinkRepository:
    """Which ticket a sent Telegram message belongs to."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, chat_id: int, message_id: int, ticket_ref: str, purpose: str) -> bool:
        """Links the message unless it is linked already; True when it was not."""
        return _insert_unless_present(
            self.session,
            LinkRow,
            chat_id=chat_id,
            message_id=message_id,
            ticket_ref=ticket_ref,
            purpose=purpose,
        )

    def relabel(self, chat_id: int, message_id: int, ticket_ref: str, purpose: str) -> None:
        """The message is now linked as ``purpose`` (a piece of a card that changed role,
        bot/links.py), added if it was not linked yet."""
        if not self.add(chat_id, message_id, ticket_ref, purpose):
            self.session.execute(
                update(LinkRow)
                .where(col(LinkRow.chat_id) == chat_id, col(LinkRow.message_id) == message_id)
                .values(purpose=purpose)
                .execution_options(synchronize_session=False)
            )

    def find(self, chat_id: int, message_id: int) -> tuple[str, str] | None:
        """(ticket ref, purpose) of that message, if it is linked to a ticket."""
        row = self.session.get(LinkRow, (chat_id, message_id))
        return None if row is None else (row.ticket_ref, row.purpose)
