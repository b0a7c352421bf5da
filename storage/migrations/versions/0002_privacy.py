"""Privacy: the sensitive ticket columns become text that can hold an encrypted value, and the
reporter's location moves from two float columns into one text column ``location`` ("lat,lon").

The migration changes the schema only. Rows written before a data key was configured stay
readable as they are (a stored value without the encryption marker is plaintext); ``helpline keys
rotate`` encrypts them with the current key. Going back down restores the two float columns from
plaintext locations only: an encrypted location cannot be read here and becomes NULL.

Revision ID: 0002_privacy
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_privacy"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Column -> its 0001 type. An encrypted value is several times longer than the plaintext, so the
# length limits of 0001 cannot stay.
_WIDENED = {
    "victim_name": sa.String(length=200),
    "city": sa.String(length=200),
    "contact_phone": sa.String(length=50),
}

# Only the columns the data steps touch, so that they do not depend on the application's tables.
_tickets = sa.table(
    "tickets",
    sa.column("id", sa.Integer()),
    sa.column("latitude", sa.Float()),
    sa.column("longitude", sa.Float()),
    sa.column("location", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        for name, old_type in _WIDENED.items():
            batch.alter_column(name, existing_type=old_type, type_=sa.Text(), existing_nullable=True)
        batch.add_column(sa.Column("location", sa.Text(), nullable=True))
    connection = op.get_bind()
    located = connection.execute(
        sa.select(_tickets.c.id, _tickets.c.latitude, _tickets.c.longitude).where(
            _tickets.c.latitude.is_not(None), _tickets.c.longitude.is_not(None)
        )
    ).all()
    for ticket_id, latitude, longitude in located:
        connection.execute(
            sa.update(_tickets)
            .where(_tickets.c.id == ticket_id)
            .values(location=f"{latitude!r},{longitude!r}")
        )
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("latitude")
        batch.drop_column("longitude")


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("longitude", sa.Float(), nullable=True))
    connection = op.get_bind()
    located = connection.execute(
        sa.select(_tickets.c.id, _tickets.c.location).where(_tickets.c.location.is_not(None))
    ).all()
    for ticket_id, location in located:
        latitude, _, longitude = str(location).partition(",")
        try:
            values = {"latitude": float(latitude), "longitude": float(longitude)}
        except ValueError:
            continue  # encrypted: unreadable without the application's key
        connection.execute(sa.update(_tickets).where(_tickets.c.id == ticket_id).values(**values))
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("location")
        # Values longer than 0001 allowed (encrypted ones) would not fit back: the columns stay
        # Text, which 0001's code reads and writes just the same.
