"""The tables of time-driven care: claims that make each reminder, escalation and check-in happen
once, the safety check-ins reporters agreed to, and the "was this helpful?" answers.

They only refer to tickets (and go with them); the tickets table itself is unchanged. Migration
``0003_care`` creates them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index
from sqlmodel import Field, SQLModel

from storage.tables import UTCDateTime

__all__ = ["CareClaimRow", "CheckinRow", "SatisfactionRow"]


class CareClaimRow(SQLModel, table=True):
    """One piece of due work done: (ticket, kind, seq) is inserted in the same transaction as the
    work, and its primary key lets only one scheduler (or one tick) ever insert it."""

    __tablename__ = "care_claims"

    ticket_id: int = Field(primary_key=True, foreign_key="tickets.id", ondelete="CASCADE")
    kind: str = Field(primary_key=True, max_length=20)
    seq: int = Field(primary_key=True, sa_type=BigInteger)
    claimed_at: datetime = Field(sa_type=UTCDateTime())


class CheckinRow(SQLModel, table=True):
    """Safety check-ins on one ticket. ``seq`` counts the prompts sent; ``awaiting_since`` is when
    the last one went out, until it is answered; ``last_answer`` is safe | unsafe | missed."""

    __tablename__ = "checkins"
    __table_args__ = (Index("ix_checkins_active_next_due", "active", "next_due"),)

    ticket_id: int = Field(primary_key=True, foreign_key="tickets.id", ondelete="CASCADE")
    interval_seconds: int
    next_due: datetime = Field(sa_type=UTCDateTime())
    seq: int = 0
    awaiting_since: datetime | None = Field(default=None, sa_type=UTCDateTime())
    last_answer: str | None = Field(default=None, max_length=10)
    last_answer_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    active: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime())


class SatisfactionRow(SQLModel, table=True):
    """The reporter's last answer to "was this helpful?" for a closed ticket."""

    __tablename__ = "ticket_satisfaction"

    ticket_id: int = Field(primary_key=True, foreign_key="tickets.id", ondelete="CASCADE")
    helpful: bool
    answered_at: datetime = Field(sa_type=UTCDateTime())
