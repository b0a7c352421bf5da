"""Migration 0011 (issue 13 item 4) from the previous head, on SQLite and PostgreSQL, with a row
in every table: every row and every value is kept (stored agency codes and statuses do not change),
a 32-character agency code fits afterwards, and the downgrade restores the 10-character columns."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, MetaData, Table, insert, inspect, select, types

from storage.db import migrate
from tests.storage.conftest import drop_everything

PREVIOUS = "0008_telegram_sizes"
THIS = "0011_agency_codes"
AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
# Columns that hold an agency code (or a thread author), with the value each row gets.
AGENCY_VALUES = {
    ("staff", "agency"): "ppa-ppo",
    ("tickets", "owner"): "kp2mi",
    ("ticket_copies", "agency"): "ppa-ppo",
    ("ticket_messages", "author"): "reporter",
    ("ticket_notes", "agency"): "kp2mi",
}
# Real statuses where the schema stores one, so that the row reads as the model's.
KNOWN_VALUES = {
    ("tickets", "status"): "taken",
    ("tickets", "priority"): "high",
    ("tickets", "ref"): "PMI-AAAA-0001",
}
DESK = "kbri-kuala-lumpur-and-selangor"  # 30 characters: a mission abroad


def to(engine: Engine, revision: str, *, down: bool = False) -> None:
    # As the bot migrates (storage.db.migrate): on SQLite with references checked at the end.
    migrate(engine, revision, down=down)


def lengths(engine: Engine) -> set[int | None]:
    """The declared lengths of the agency-code columns."""
    found = set()
    for table, column in AGENCY_VALUES:
        [info] = [c for c in inspect(engine).get_columns(table) if c["name"] == column]
        found.add(getattr(info["type"], "length", None))
    return found


def value_for(table: Table, column: Any) -> Any:
    """One valid value of a reflected column: ids 1 (every parent row has id 1), text that fits."""
    known = AGENCY_VALUES.get((table.name, column.name)) or KNOWN_VALUES.get((table.name, column.name))
    if known is not None:
        return known
    kind = column.type
    if isinstance(kind, types.Boolean):
        return False
    if isinstance(kind, types.Integer):
        return 1
    if isinstance(kind, types.Float | types.Numeric):
        return 1
    if isinstance(kind, types.DateTime):
        return AT
    if isinstance(kind, types.Date):
        return date(2026, 11, 23)
    if isinstance(kind, types.LargeBinary):
        return b"x"
    if isinstance(kind, types.String):  # Text too
        length = getattr(kind, "length", None)
        return "x" if length is None else "x" * min(length, 3)
    raise AssertionError(f"{table.name}.{column.name}: no value for {kind!r}")


def stored(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    metadata = MetaData()
    with engine.connect() as connection:
        metadata.reflect(connection)
        return {
            name: [tuple(row) for row in connection.execute(select(table))]
            for name, table in metadata.tables.items()
            if name != "alembic_version"
        }


def test_0011_keeps_a_row_in_every_table_and_widens_agency_codes(engine: Engine) -> None:
    drop_everything(engine)
    to(engine, PREVIOUS)
    metadata = MetaData()
    with engine.begin() as connection:
        metadata.reflect(connection)
        tables = [t for t in metadata.sorted_tables if t.name != "alembic_version"]
        for table in tables:
            connection.execute(insert(table).values({c.name: value_for(table, c) for c in table.columns}))
    before = stored(engine)
    assert all(len(rows) == 1 for rows in before.values()), "a row in every table"
    assert set(before) >= {table for table, _ in AGENCY_VALUES}

    assert lengths(engine) == {10}
    to(engine, THIS)
    assert lengths(engine) == {32}
    assert stored(engine) == before  # nothing rewritten: codes and statuses are the same

    with engine.begin() as connection:
        connection.exec_driver_sql(f"UPDATE tickets SET owner = '{DESK}'")
        connection.exec_driver_sql(f"UPDATE ticket_messages SET author = '{DESK}'")
        for table, column in (("staff", "agency"), ("ticket_copies", "agency"), ("ticket_notes", "agency")):
            connection.exec_driver_sql(f"UPDATE {table} SET {column} = '{DESK}'")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT owner FROM tickets").scalar_one() == DESK

    # Back down once the codes fit again: the rows are as they were, the columns 10 long.
    with engine.begin() as connection:
        for (table, column), value in AGENCY_VALUES.items():
            connection.exec_driver_sql(f"UPDATE {table} SET {column} = '{value}'")
    to(engine, PREVIOUS, down=True)
    assert lengths(engine) == {10}
    assert stored(engine) == before
    to(engine, "head")


def test_sqlite_copies_a_referenced_table_without_losing_or_breaking_rows(engine: Engine) -> None:
    """0008 copies "staff" on SQLite too: with tickets, notes and accounts referring to an
    officer, dropping the old table failed while foreign keys were on (storage.db.migrate now
    turns them off around the migration and checks every reference before it commits)."""
    drop_everything(engine)
    to(engine, "0007_discreet_notices")
    metadata = MetaData()
    with engine.begin() as connection:
        metadata.reflect(connection)
        for table in (t for t in metadata.sorted_tables if t.name != "alembic_version"):
            connection.execute(insert(table).values({c.name: value_for(table, c) for c in table.columns}))
    before = stored(engine)
    to(engine, "head")
    assert stored(engine) == before
