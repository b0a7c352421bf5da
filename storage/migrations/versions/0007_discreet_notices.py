"""Discreet notices: ``users.reads_safely``, the person's choice in /menu that notices they did
not ask for (taken, resolved, reminders, closed) may name the agency and the report. Existing
users become discreet, the safe default for a phone that may be watched.

Revision ID: 0007_discreet_notices
Revises: 0010_outbox_chats
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_discreet_notices"
down_revision: str | Sequence[str] | None = "0010_outbox_chats"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE on both databases (SQLite has ADD and DROP COLUMN since 3.35): a batch
# "move and copy" of ``users`` would drop the table, and with it, by cascade, every conversation.
def upgrade() -> None:
    op.add_column("users", sa.Column("reads_safely", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("users", "reads_safely")
