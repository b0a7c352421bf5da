"""The migrations: they create the schema the tables describe, and the engine is set up right."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import StatementError
from sqlmodel import SQLModel

import storage.care_tables  # these four put every table on SQLModel.metadata
import storage.chat_claims
import storage.desk_tables
import storage.tables  # noqa: F401
from storage.db import alembic_config, make_engine, migrate
from storage.uow import UnitOfWork
from tests.storage.conftest import drop_everything

ROOT = Path(__file__).resolve().parents[2]
TABLES = {
    "users",
    "conversations",
    "processed_updates",
    "tickets",
    "ticket_copies",
    "ticket_messages",
    "evidence",
    "audit_events",
    "staff",
    "outbox",
    "outbox_chats",
    "message_links",
    "recruiters",
    "care_claims",
    "checkins",
    "ticket_satisfaction",
    "deletable_messages",
    "incoming_updates",
    "console_accounts",
    "console_sessions",
    "ticket_notes",
    "evidence_files",
    "evidence_chunks",
    "ticket_match_keys",
    "ticket_links",
}


def test_migration_creates_every_table(engine: Engine) -> None:
    assert set(inspect(engine).get_table_names()) == TABLES | {"alembic_version"}


def test_database_is_at_the_latest_revision(engine: Engine) -> None:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == heads[0]


def test_migrations_match_the_tables(engine: Engine) -> None:
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []


def test_migrate_twice_changes_nothing(engine: Engine) -> None:
    migrate(engine)
    assert set(inspect(engine).get_table_names()) == TABLES | {"alembic_version"}


def test_datetimes_come_back_aware_utc(engine: Engine) -> None:
    jakarta = timezone(timedelta(hours=7))
    with UnitOfWork(engine) as uow:
        uow.users.get_or_create(1, datetime(2026, 11, 23, 15, 0, tzinfo=jakarta))
        uow.commit()
    with UnitOfWork(engine) as uow:
        user = uow.users.get(1)
        assert user is not None
        assert user.created_at == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
        assert user.created_at.tzinfo is UTC


def test_naive_datetimes_are_refused(engine: Engine) -> None:
    with UnitOfWork(engine) as uow, pytest.raises(StatementError, match="naive"):
        uow.users.get_or_create(1, datetime(2026, 11, 23, 8, 0))


def test_sqlite_connections_are_configured(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA busy_timeout").scalar() == 5000
    finally:
        engine.dispose()


def test_alembic_command_line_migrates_database_url(tmp_path: Path) -> None:
    """Developers run ``alembic`` by hand, from anywhere, on DATABASE_URL."""
    database = tmp_path / "cli.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    for args in (["upgrade", "head"], ["check"]):
        subprocess.run(
            [sys.executable, "-m", "alembic", "-c", str(ROOT / "alembic.ini"), *args],
            cwd=tmp_path,
            env=env,
            check=True,
            capture_output=True,
        )
    engine = make_engine(f"sqlite:///{database}")
    try:
        assert set(inspect(engine).get_table_names()) == TABLES | {"alembic_version"}
    finally:
        engine.dispose()


def test_processes_starting_together_migrate_once(engine: Engine) -> None:
    drop_everything(engine)
    errors: list[BaseException] = []

    def start_process() -> None:
        try:
            migrate(engine)
        except BaseException as exc:
            errors.append(exc)

    # Daemon threads and a bounded wait: without the lock, concurrent migrations can hang.
    threads = [threading.Thread(target=start_process, daemon=True) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert set(inspect(engine).get_table_names()) == TABLES | {"alembic_version"}


def test_a_bare_postgresql_url_uses_psycopg() -> None:
    engine = make_engine("postgresql://helpline@db.invalid/helpline")
    try:
        assert engine.url.drivername == "postgresql+psycopg"
    finally:
        engine.dispose()
