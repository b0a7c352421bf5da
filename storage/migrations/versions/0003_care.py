"""Time-driven care: claims (each reminder, escalation and check-in done once), safety check-ins,
and satisfaction answers. New tables only; the tickets table is unchanged.

Revision ID: 0003_care
Revises: 0002_privacy
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_care"
down_revision: str | Sequence[str] | None = "0002_privacy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "care_claims",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("claimed_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("ticket_id", "kind", "seq"),
    )
    op.create_table(
        "checkins",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("interval_seconds", sa.Integer(), nullable=False),
        sa.Column("next_due", _utc(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("awaiting_since", _utc(), nullable=True),
        sa.Column("last_answer", sa.String(length=10), nullable=True),
        sa.Column("last_answer_at", _utc(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("ticket_id"),
    )
    op.create_index("ix_checkins_active_next_due", "checkins", ["active", "next_due"])
    op.create_table(
        "ticket_satisfaction",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("answered_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("ticket_id"),
    )


def downgrade() -> None:
    op.drop_table("ticket_satisfaction")
    op.drop_index("ix_checkins_active_next_due", table_name="checkins")
    op.drop_table("checkins")
    op.drop_table("care_claims")
