"""Long polling stores each batch of updates before confirming it to Telegram, and handles it
from there (bot/delivery/backlog.py): a table of the updates not yet handled. New table only.

Revision ID: 0005_incoming_updates
Revises: 0004_deletable_messages
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_incoming_updates"
down_revision: str | Sequence[str] | None = "0004_deletable_messages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "incoming_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("update_id"),
    )


def downgrade() -> None:
    op.drop_table("incoming_updates")
