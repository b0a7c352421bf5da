"""The tables of the staff web console (the desk, ``helpline console``): officers' console
accounts and sessions, private notes, evidence files fetched from Telegram, the blind index that
finds possible duplicates, and links and merges between tickets.

They only refer to staff, tickets and evidence (and go with them); the tables of the bot are
unchanged. Migration ``0006_console`` creates them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.crypto import EncryptedText
from storage.tables import UTCDateTime

__all__ = [
    "ROLES",
    "ConsoleAccountRow",
    "ConsoleSessionRow",
    "EvidenceChunkRow",
    "EvidenceFileRow",
    "TicketLinkRow",
    "TicketMatchKeyRow",
    "TicketNoteRow",
]

ROLES = ("officer", "supervisor", "admin")


class ConsoleAccountRow(SQLModel, table=True):
    """A console login for one officer of one agency (a staff row): an argon2 password hash, the
    TOTP secret (encrypted; confirmed once the officer entered a first code), the role and the
    lockout counters."""

    __tablename__ = "console_accounts"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", unique=True)
    username: str = Field(max_length=60, unique=True)
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=12)  # one of ROLES
    totp_secret: str | None = Field(default=None, sa_type=EncryptedText)
    totp_confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    totp_last_step: int | None = None  # a code is accepted once: replaying it fails
    failed_logins: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime())
    lang: str = Field(default="id", max_length=5)
    created_at: datetime = Field(sa_type=UTCDateTime())
    password_changed_at: datetime = Field(sa_type=UTCDateTime())


class ConsoleSessionRow(SQLModel, table=True):
    """A server-side session: the cookie carries a random token, the table its SHA-256 only.
    ``stage`` is 'password' between the two factors and 'full' after the TOTP code."""

    __tablename__ = "console_sessions"

    id: str = Field(primary_key=True, max_length=64)
    account_id: int = Field(foreign_key="console_accounts.id", ondelete="CASCADE", index=True)
    stage: str = Field(max_length=10)
    csrf: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime())
    last_seen_at: datetime = Field(sa_type=UTCDateTime())


class TicketNoteRow(SQLModel, table=True):
    """A private note of an officer on a ticket: staff only, never sent to the reporter."""

    __tablename__ = "ticket_notes"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", ondelete="CASCADE", index=True)
    staff_id: int = Field(foreign_key="staff.id")
    agency: str = Field(max_length=32)  # an agency code (data/agencies.json)
    text: str = Field(sa_type=EncryptedText)
    created_at: datetime = Field(sa_type=UTCDateTime())


class EvidenceFileRow(SQLModel, table=True):
    """An evidence file downloaded from Telegram once, kept in ``evidence_chunks``."""

    __tablename__ = "evidence_files"

    evidence_id: int = Field(primary_key=True, foreign_key="evidence.id", ondelete="CASCADE")
    size: int = Field(sa_type=BigInteger)
    mime_type: str | None = Field(default=None, sa_type=Text)  # Telegram's, unbounded
    chunks: int
    fetched_at: datetime = Field(sa_type=UTCDateTime())


class EvidenceChunkRow(SQLModel, table=True):
    """A piece of an evidence file (base64, encrypted like every personal field), so that a file
    is streamed to the officer piece by piece instead of being read whole into memory."""

    __tablename__ = "evidence_chunks"
    __table_args__ = (UniqueConstraint("evidence_id", "seq", name="uq_evidence_chunks_evidence_id_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    evidence_id: int = Field(foreign_key="evidence.id", ondelete="CASCADE")
    seq: int
    data: str = Field(sa_type=EncryptedText)


class TicketMatchKeyRow(SQLModel, table=True):
    """Blind index of what makes two tickets possible duplicates (phone, passport number,
    recruiter, missing person's name): an HMAC of the normalised value under the console's
    secret, since the values themselves are encrypted. ``key_id`` names the secret, so a new
    secret re-indexes; kind '-' marks a ticket indexed that had nothing to index."""

    __tablename__ = "ticket_match_keys"
    __table_args__ = (Index("ix_ticket_match_keys_kind_digest", "kind", "digest"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", ondelete="CASCADE", index=True)
    kind: str = Field(max_length=20)
    digest: str = Field(max_length=64)
    key_id: str = Field(max_length=16)


class TicketLinkRow(SQLModel, table=True):
    """Two tickets an officer linked as being about the same case ('related', stored with the
    lower id first), or one merged into another ('merged': ``ticket_id`` into ``other_id``)."""

    __tablename__ = "ticket_links"

    ticket_id: int = Field(primary_key=True, foreign_key="tickets.id", ondelete="CASCADE")
    other_id: int = Field(primary_key=True, foreign_key="tickets.id", ondelete="CASCADE", index=True)
    kind: str = Field(max_length=10)
    staff_id: int = Field(foreign_key="staff.id")
    created_at: datetime = Field(sa_type=UTCDateTime())
