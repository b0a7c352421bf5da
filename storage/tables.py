"""The database schema as SQLModel tables; every change to it needs an Alembic migration as well.

JSON-shaped columns (conversation state, ticket details, audit data, outbox payloads) are plain
``Text`` written and read by the repositories, so the schema is the same on SQLite and
PostgreSQL. Columns that hold what a person wrote or what identifies them are ``EncryptedText``
(storage/crypto.py): still text in the database, encrypted when a data key is configured."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, Index, Text, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel

from flows.ticket_rules import STATUSES
from storage.crypto import EncryptedText
from storage.recruiter_table import RecruiterRow

__all__ = [
    "OUTBOX_KINDS",
    "TICKET_STATUSES",
    "AuditRow",
    "ConversationRow",
    "DeletableMessageRow",
    "EvidenceRow",
    "IncomingUpdateRow",
    "LinkRow",
    "OutboxRow",
    "ProcessedUpdateRow",
    "RecruiterRow",
    "StaffRow",
    "TicketCopyRow",
    "TicketMessageRow",
    "TicketRow",
    "UTCDateTime",
    "UserRow",
    "dump_json",
    "load_json",
]

# The statuses are the ticket model's (flows/ticket_rules.py); the column only stores them.
TICKET_STATUSES = STATUSES
# delete_chat: delete the messages of a person's private chat that Telegram still allows, theirs
# and the bot's (/hapus; see DeletableMessageRow); its payload is empty.
OUTBOX_KINDS = ("reply", "card", "card_update", "notice", "emergency", "delete_chat")


def dump_json(value: Any) -> str:
    """The text stored in a JSON-shaped column; Indonesian text stays readable in the database."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def load_json(text: str) -> Any:
    return json.loads(text)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    PostgreSQL keeps the offset itself; SQLite has no datetime type and hands values back naive, so
    they are written as UTC wall time and marked UTC again when read. Naive values are refused on
    the way in: a naive datetime is a bug in the caller, and guessing its zone would hide it."""

    impl = DateTime
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(timezone=True)

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _utc(*, nullable: bool = False) -> Any:
    """A UTCDateTime field; typed ``Any`` like SQLModel's own ``Field`` result."""
    return Field(default=None, sa_type=UTCDateTime()) if nullable else Field(sa_type=UTCDateTime())


class UserRow(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_type=BigInteger, unique=True)
    lang: str = Field(default="id", max_length=5)
    role: str | None = Field(default=None, max_length=20)
    country: str | None = Field(default=None, max_length=8)
    consent_version: str | None = Field(default=None, max_length=20)
    consent_at: datetime | None = _utc(nullable=True)
    consent_lang: str | None = Field(default=None, max_length=5)
    consent_scope: str | None = Field(default=None, max_length=20)  # full | emergency
    blocked_at: datetime | None = _utc(nullable=True)
    created_at: datetime = _utc()
    erased_at: datetime | None = _utc(nullable=True)
    # "I can read messages safely" (/menu): only then may notices they did not ask for name the
    # agency, the police or the report. Default discreet: a phone may be watched.
    reads_safely: bool = Field(default=False)


class ConversationRow(SQLModel, table=True):
    """One dialogue state per user; ``version`` is the optimistic-concurrency counter."""

    __tablename__ = "conversations"

    user_id: int = Field(primary_key=True, foreign_key="users.id", ondelete="CASCADE")
    state: str = Field(sa_type=EncryptedText)  # a report being written is in here
    version: int
    updated_at: datetime = _utc()


class ProcessedUpdateRow(SQLModel, table=True):
    """Incoming updates already handled, so a redelivered one is not handled twice."""

    __tablename__ = "processed_updates"

    source: str = Field(primary_key=True, max_length=20)
    update_id: int = Field(primary_key=True, sa_type=BigInteger)
    processed_at: datetime = _utc()


class IncomingUpdateRow(SQLModel, table=True):
    """An update fetched from Telegram and confirmed to it, not yet handled: long polling stores
    each batch before confirming it, then handles it (bot/delivery/backlog.py). Removed once
    handled; after a crash the rows left are handled on start."""

    __tablename__ = "incoming_updates"

    update_id: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    received_at: datetime = _utc()
    payload: str = Field(sa_type=EncryptedText)  # the update as Telegram sent it: what people wrote


class StaffRow(SQLModel, table=True):
    """An officer registered for one agency; removal keeps the row (tickets refer to it)."""

    __tablename__ = "staff"
    __table_args__ = (UniqueConstraint("telegram_id", "agency", name="uq_staff_telegram_id_agency"),)

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_type=BigInteger)
    agency: str = Field(max_length=32)  # an agency code (data/agencies.json)
    name: str = Field(sa_type=Text)  # as typed by whoever registered the officer
    active: bool = True
    created_at: datetime = _utc()


class TicketRow(SQLModel, table=True):
    __tablename__ = "tickets"
    __table_args__ = (Index("ix_tickets_status_priority", "status", "priority"),)

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=14, unique=True)
    idempotency_key: str = Field(max_length=100, unique=True)
    kind: str = Field(max_length=20)  # report | assist | question
    category: str = Field(max_length=40)
    priority: str = Field(max_length=10)  # urgent | high | normal
    status: str = Field(default="open", max_length=12)  # one of TICKET_STATUSES
    owner: str = Field(max_length=32)  # an agency code (data/agencies.json)
    reporter_user_id: int | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL", index=True
    )
    reporter_role: str | None = Field(default=None, max_length=20)
    lang: str = Field(max_length=5)
    created_at: datetime = _utc()
    updated_at: datetime = _utc()
    first_response_due: datetime | None = _utc(nullable=True)
    first_response_at: datetime | None = _utc(nullable=True)
    taken_by: int | None = Field(default=None, foreign_key="staff.id")
    taken_at: datetime | None = _utc(nullable=True)
    closed_at: datetime | None = _utc(nullable=True)
    version: int = 1
    # EncryptedText columns: the reporter's words and what identifies or locates a person.
    description: str = Field(sa_type=EncryptedText)
    victim: str = Field(max_length=10)  # self | other
    victim_name: str | None = Field(default=None, sa_type=EncryptedText)
    victim_minor: bool
    danger_now: bool
    country: str | None = Field(default=None, max_length=8)
    city: str | None = Field(default=None, sa_type=EncryptedText)
    location: str | None = Field(default=None, sa_type=EncryptedText)  # "lat,lon"
    contact_method: str = Field(max_length=10)  # chat | phone
    contact_phone: str | None = Field(default=None, sa_type=EncryptedText)
    details: str = Field(sa_type=EncryptedText)
    anonymised_at: datetime | None = _utc(nullable=True)


class TicketCopyRow(SQLModel, table=True):
    """An agency that sees a ticket without owning it."""

    __tablename__ = "ticket_copies"

    ticket_id: int = Field(primary_key=True, foreign_key="tickets.id", ondelete="CASCADE")
    agency: str = Field(primary_key=True, max_length=32)


class TicketMessageRow(SQLModel, table=True):
    __tablename__ = "ticket_messages"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", ondelete="CASCADE", index=True)
    author: str = Field(max_length=32)  # reporter | system | an agency code
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    text: str = Field(sa_type=EncryptedText)
    created_at: datetime = _utc()


class EvidenceRow(SQLModel, table=True):
    """A file sent by the reporter, kept as a Telegram file id (the file stays with Telegram)."""

    __tablename__ = "evidence"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", ondelete="CASCADE", index=True)
    message_id: int | None = Field(default=None, foreign_key="ticket_messages.id", ondelete="SET NULL")
    kind: str = Field(max_length=20)
    # What Telegram sends about a file has no length limit in the Bot API, and a size "can be
    # bigger than 2^31" (at most 52 significant bits): unbounded text and BIGINT, so that no
    # attachment can make a report impossible to store (tests/storage/test_column_limits.py).
    file_id: str = Field(sa_type=Text)
    mime_type: str | None = Field(default=None, sa_type=Text)
    size: int | None = Field(default=None, sa_type=BigInteger)
    name: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = _utc()


class AuditRow(SQLModel, table=True):
    """One event of a ticket's audit trail; ``data`` never holds the reporter's own words."""

    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id", ondelete="SET NULL", index=True)
    actor: str = Field(max_length=40)  # reporter | staff:<id> | system
    action: str = Field(max_length=40)
    data: str = Field(sa_type=Text)
    at: datetime = _utc()


class OutboxRow(SQLModel, table=True):
    """A Telegram message waiting to be sent, written in the same transaction as its cause."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "sent_at", "failed_at", "priority", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=BigInteger)
    kind: str = Field(max_length=20)  # one of OUTBOX_KINDS
    payload: str = Field(sa_type=EncryptedText)  # cards and answers quote the report
    priority: int  # lower is sent sooner
    dedup_key: str | None = Field(default=None, max_length=200, unique=True)
    ticket_ref: str | None = Field(default=None, max_length=14)
    created_at: datetime = _utc()
    not_before: datetime = _utc()
    attempts: int = 0  # failed attempts so far
    sent_at: datetime | None = _utc(nullable=True)
    telegram_message_id: int | None = Field(default=None, sa_type=BigInteger)
    failed_at: datetime | None = _utc(nullable=True)
    error: str | None = Field(default=None, max_length=300)


class DeletableMessageRow(SQLModel, table=True):
    """A message of a private chat that /hapus may still delete, the person's or the bot's: its
    id and when it was sent, never what it says. Telegram lets a bot delete a message for 48
    hours only, so rows are pruned after that (storage/deletable.py)."""

    __tablename__ = "deletable_messages"
    __table_args__ = (
        Index("ix_deletable_messages_chat_id_sent_at", "chat_id", "sent_at"),
        Index("ix_deletable_messages_sent_at", "sent_at"),
    )

    # A surrogate key, not (chat_id, message_id): recording a message twice must never fail the
    # update or the send that records it, and the few duplicates are dropped when deleting.
    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=BigInteger)
    message_id: int = Field(sa_type=BigInteger)
    sent_at: datetime = _utc()


class LinkRow(SQLModel, table=True):
    """Which ticket a Telegram message belongs to, so a reply to it joins that ticket's thread."""

    __tablename__ = "message_links"

    chat_id: int = Field(primary_key=True, sa_type=BigInteger)
    message_id: int = Field(primary_key=True, sa_type=BigInteger)
    ticket_ref: str = Field(max_length=14, index=True)
    purpose: str = Field(max_length=20)  # card | agency_answer | reporter_copy
