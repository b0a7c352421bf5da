"""/hapus: the ids of messages in private chats that the bot may still delete (48 hours), the
person's and every part of the bot's.

Until now only the last part of what the bot sent was kept (``outbox.telegram_message_id``).
Those of the last 48 hours are copied over, so a /hapus right after the upgrade still deletes
them; earlier parts of split messages and the person's own messages from before the upgrade are
not known and stay.

Revision ID: 0004_deletable_messages
Revises: 0003_care
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0004_deletable_messages"
down_revision: str | Sequence[str] | None = "0003_care"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Only the columns the copy touches, so that it does not depend on the application's tables.
_outbox = sa.table(
    "outbox",
    sa.column("chat_id", sa.BigInteger()),
    sa.column("sent_at", sa.DateTime(timezone=True)),
    sa.column("telegram_message_id", sa.BigInteger()),
)
_deletable = sa.table(
    "deletable_messages",
    sa.column("chat_id", sa.BigInteger()),
    sa.column("message_id", sa.BigInteger()),
    sa.column("sent_at", sa.DateTime(timezone=True)),
)


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "deletable_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("sent_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_deletable_messages_chat_id_sent_at", "deletable_messages", ["chat_id", "sent_at"])
    op.create_index("ix_deletable_messages_sent_at", "deletable_messages", ["sent_at"])
    # SQLite keeps UTC wall time without an offset (storage.tables.UTCDateTime): compare with a
    # naive UTC value there, an aware one on PostgreSQL.
    since = datetime.now(UTC) - timedelta(hours=48)
    if op.get_bind().dialect.name == "sqlite":
        since = since.replace(tzinfo=None)
    op.execute(
        _deletable.insert().from_select(
            ["chat_id", "message_id", "sent_at"],
            sa.select(_outbox.c.chat_id, _outbox.c.telegram_message_id, _outbox.c.sent_at).where(
                _outbox.c.chat_id > 0,
                _outbox.c.telegram_message_id.is_not(None),
                _outbox.c.sent_at >= since,
            ),
        )
    )


def downgrade() -> None:
    op.drop_index("ix_deletable_messages_sent_at", table_name="deletable_messages")
    op.drop_index("ix_deletable_messages_chat_id_sent_at", table_name="deletable_messages")
    op.drop_table("deletable_messages")
