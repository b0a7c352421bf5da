"""Agency codes up to 32 characters (issue 13): agencies are data (data/agencies.json), and a
desk added there (a provincial BP3MI office, a mission abroad: "bp3mi-jatim", "kbri-kuala-lumpur")
needs a longer code than the 10 characters "kp2mi" and "ppa-ppo" were given. Widens every column
that holds an agency code: staff.agency, tickets.owner, ticket_copies.agency, ticket_messages.author
(reporter, system or an agency) and ticket_notes.agency.

The stored codes and statuses stay as they are: kp2mi and ppa-ppo keep their codes, imigrasi is
new, and the ticket statuses of flows/ticket_rules.py are the ones already stored. So nothing is
rewritten; existing rows are kept unchanged.

Revision ID: 0011_agency_codes
Revises: 0008_telegram_sizes
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_agency_codes"
down_revision: str | Sequence[str] | None = "0008_telegram_sizes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE, AFTER = 10, 32
# table -> columns holding an agency code (all NOT NULL)
_COLUMNS: dict[str, tuple[str, ...]] = {
    "staff": ("agency",),
    "tickets": ("owner",),
    "ticket_copies": ("agency",),
    "ticket_messages": ("author",),
    "ticket_notes": ("agency",),
}


def upgrade() -> None:
    _resize(BEFORE, AFTER)


def downgrade() -> None:
    # On PostgreSQL this fails while a stored code is longer than 10 characters.
    _resize(AFTER, BEFORE)


def _resize(before: int, after: int) -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite copies each table (batch mode); dropping the old "staff" while tickets, notes and
        # console accounts refer to its rows fails with foreign keys on. Deferred, the references
        # are checked at commit, when the copy holds the same rows under the same name.
        op.execute("PRAGMA defer_foreign_keys = ON")
    for table, columns in _COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for name in columns:
                batch.alter_column(
                    name,
                    existing_type=sa.String(length=before),
                    type_=sa.String(length=after),
                    existing_nullable=False,
                )
