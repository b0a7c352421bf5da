"""Engines and schema migrations: how the helpline connects to its database and keeps it current."""

from __future__ import annotations

import os
import weakref
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from storage.parity import refuse_what_postgresql_refuses

DEFAULT_URL = "sqlite:///helpline.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 0x504D4948  # any constant shared by all helpline processes ("PMIH")


# SQLite files whose commits are not synced one by one: WAL file -> fsync'd by flush_commits.
_GROUP_COMMIT: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def make_engine(url: str, *, group_commit: bool = False) -> Engine:
    """An engine for ``url``: SQLite (the embedded default) or PostgreSQL (production).

    ``group_commit`` (SQLite files only; elsewhere it changes nothing): a commit returns without
    waiting for the disk (``synchronous=NORMAL``), and ``flush_commits`` makes every commit so
    far survive a power cut with one fsync. The caller must flush before anyone outside learns of
    a commit: the Telegram runtime does before sending the outbox, confirming updates to Telegram
    and answering a button (README, Performance). A crash of the process alone loses nothing
    either way; only a power cut or an OS crash could undo commits not yet flushed."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        in_memory = parsed.database in (None, "", ":memory:")
        # A file: URI leaves the file name to SQLite; such engines keep syncing every commit.
        grouped = group_commit and not in_memory and not str(parsed.database).startswith("file:")
        engine = _sqlite_engine(url, in_memory=in_memory, group_commit=grouped)
        if grouped:
            _GROUP_COMMIT[engine] = os.path.abspath(f"{parsed.database}-wal")
        return engine
    if parsed.drivername == "postgresql":
        # psycopg 3 is the only PostgreSQL driver installed; a bare postgresql:// means it too.
        parsed = parsed.set(drivername="postgresql+psycopg")
    # Several bot processes keep connections for a long time; a restarted server must not make
    # the next update fail on a dead connection.
    # hide_parameters: error messages (and so logged tracebacks) must not carry personal data.
    return create_engine(parsed, pool_pre_ping=True, hide_parameters=True)


def _sqlite_engine(url: str, *, in_memory: bool, group_commit: bool = False) -> Engine:
    # The bot's threads (scheduler, handlers) share the pool, so connections cross threads.
    engine = create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True)
    # A value PostgreSQL would refuse fails here too, not first in production.
    refuse_what_postgresql_refuses(engine)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # sqlite3 would otherwise begin transactions lazily and only before writes; SQLAlchemy
        # emits BEGIN itself (below), which also makes SAVEPOINT and transactional DDL work.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            # Readers do not block the writer and the writer does not block readers.
            cursor.execute("PRAGMA journal_mode=WAL")
            if group_commit:
                # Commits are written to the WAL but not synced; flush_commits syncs them.
                cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        # Take the write lock at BEGIN: two writers then queue on busy_timeout, instead of both
        # reading and the second failing with "database is locked" when it upgrades to write.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def groups_commits(engine: Engine) -> bool:
    """True when ``engine``'s commits wait for ``flush_commits`` to be durable."""
    return engine in _GROUP_COMMIT


def flush_commits(engine: Engine) -> None:
    """Makes every transaction committed through ``engine`` so far durable (group commit).

    With ``synchronous=NORMAL`` in WAL mode, SQLite writes each commit to the WAL file at once
    but syncs that file only at checkpoints; ``synchronous=FULL`` syncs it at every commit. One
    fsync of the WAL here does for all the commits before it what FULL does for each. Without a
    WAL file everything was checkpointed into the database, which a checkpoint syncs. Blocks for
    the fsync (run it in a worker thread); a no-op for engines that sync every commit anyway."""
    wal = _GROUP_COMMIT.get(engine)
    if wal is None:
        return
    try:
        fd = os.open(wal, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def alembic_config() -> Config:
    """Alembic configuration pointing at the migrations shipped inside this package."""
    config = Config()
    # configparser interpolates '%', which may appear in an install path.
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    return config


def migrate(engine: Engine) -> None:
    """Upgrade the database behind ``engine`` to the latest schema, in one transaction."""
    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Several bot processes may start at once: the others wait here, then find the
            # schema current. (On SQLite, BEGIN IMMEDIATE already serialises them.)
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@lru_cache(maxsize=1)
def _heads() -> frozenset[str]:
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def schema_is_current(engine: Engine) -> bool:
    """True when the database answers and its schema is at the latest migration (a process of a
    newer version must not take traffic before ``helpline db migrate`` ran)."""
    with engine.connect() as connection:
        return frozenset(MigrationContext.configure(connection).get_current_heads()) == _heads()
