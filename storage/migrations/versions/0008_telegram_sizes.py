"""What Telegram sends about a file fits: sizes as BIGINT (a file "can be bigger than 2^31"),
file ids, names and MIME types as unbounded text (the Bot API sets no length), and an officer's
name as text. On PostgreSQL an attachment over 2 GiB or a file name over 300 characters made the
report's INSERT fail for good.

Revision ID: 0008_telegram_sizes
Revises: 0007_discreet_notices
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0008_telegram_sizes"
down_revision: str | Sequence[str] | None = "0007_discreet_notices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> [(column, type before, type after, nullable)]
_CHANGES: dict[str, list[tuple[str, Any, Any, bool]]] = {
    "evidence": [
        ("file_id", sa.String(length=300), sa.Text(), False),
        ("mime_type", sa.String(length=100), sa.Text(), True),
        ("size", sa.Integer(), sa.BigInteger(), True),
        ("name", sa.String(length=300), sa.Text(), True),
    ],
    "evidence_files": [
        ("size", sa.Integer(), sa.BigInteger(), False),
        ("mime_type", sa.String(length=100), sa.Text(), True),
    ],
    "staff": [("name", sa.String(length=200), sa.Text(), False)],
}


def upgrade() -> None:
    for table, columns in _CHANGES.items():
        with op.batch_alter_table(table) as batch:
            for name, before, after, nullable in columns:
                batch.alter_column(name, existing_type=before, type_=after, existing_nullable=nullable)


def downgrade() -> None:
    # On PostgreSQL this fails while a stored value is longer or larger than the old column allows.
    for table, columns in _CHANGES.items():
        with op.batch_alter_table(table) as batch:
            for name, before, after, nullable in columns:
                batch.alter_column(name, existing_type=after, type_=before, existing_nullable=nullable)
