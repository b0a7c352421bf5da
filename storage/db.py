"""Engines and schema migrations: how the helpline connects to its database and keeps it current."""

from __future__ import annotations

import os
import time
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
from sqlalchemy.exc import DisconnectionError

from storage.parity import refuse_what_postgresql_refuses

DEFAULT_URL = "sqlite:///helpline.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 0x504D4948  # any constant shared by all helpline processes ("PMIH")
PING_AFTER = 1.0  # seconds a PostgreSQL connection may sit in the pool before it is tried again
_clock = time.monotonic  # of the pool's checkins and checkouts (a test sets its own)


# Engines whose commits are not synced one by one: for SQLite, the WAL file flush_commits
# fsyncs; for PostgreSQL, None (the server's WAL, flushed by a synchronous commit).
_GROUP_COMMIT: weakref.WeakKeyDictionary[Engine, str | None] = weakref.WeakKeyDictionary()
# flush_commits on PostgreSQL: a transaction that writes WAL (a logical decoding message nobody
# reads, the one WAL-writing statement any role may run without a table of its own) and commits
# synchronously. PostgreSQL's WAL is one sequence, so flushing it up to this commit flushes every
# commit before it, of this process and of any other.
_FLUSH_POSTGRESQL = (
    "SELECT set_config('synchronous_commit', 'on', true), pg_logical_emit_message(true, 'helpline.flush', '')"
)


def make_engine(url: str, *, group_commit: bool = False) -> Engine:
    """An engine for ``url``: SQLite (the embedded default) or PostgreSQL (production).

    ``group_commit`` (SQLite files and PostgreSQL; in-memory SQLite ignores it): a commit returns
    without waiting for the disk (SQLite: ``synchronous=NORMAL``; PostgreSQL:
    ``synchronous_commit=off``), and ``flush_commits`` makes every commit so far survive a power
    cut, or a crash of the database server, with one fsync. The caller must flush before anyone
    outside learns of a commit: the Telegram runtime does before sending the outbox, confirming
    updates to Telegram and answering a button (README, Performance). A crash of the bot process
    alone loses nothing either way; only a power cut, an OS crash or (PostgreSQL) a crash of the
    server could undo commits not yet flushed, and then wholly: a transaction is never half lost,
    and an undone update was confirmed to nobody, so it is handled again."""
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
    # hide_parameters: error messages (and so logged tracebacks) must not carry personal data.
    engine = create_engine(parsed, hide_parameters=True)
    _ping_idle_connections(engine)
    if group_commit:
        _GROUP_COMMIT[engine] = None

        @event.listens_for(engine, "connect")
        def _commit_without_waiting(dbapi_connection: Any, _record: Any) -> None:
            # For the session, so no statement per transaction; the commit is still atomic and
            # in order, only its fsync is left to flush_commits (or to the WAL writer, by default
            # within 0.6 s).
            autocommit = dbapi_connection.autocommit
            dbapi_connection.autocommit = True
            dbapi_connection.execute("SET synchronous_commit = off")
            dbapi_connection.autocommit = autocommit

    return engine


def _ping_idle_connections(engine: Engine) -> None:
    """Several bot processes keep connections for a long time; a restarted server must not make
    the next update fail on a dead connection. So a connection is tried before it is handed out,
    as ``pool_pre_ping`` does, but only after PING_AFTER seconds in the pool: pinging every
    checkout was one round trip of the seven of an update. A connection back from work within
    the last second was alive then; a server that went away since makes one update fail, as it
    could after any ping: that failure recycles the whole pool (SQLAlchemy's disconnect
    handling) and the update is tried again (bot/delivery/core_call.py)."""

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned"] = _clock()

    @event.listens_for(engine, "checkout")
    def _handed_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get("returned")
        if returned is None or _clock() - returned < PING_AFTER:
            return  # new, or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool discards this connection and hands out another (a new one if need be).
            raise DisconnectionError() from error


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
    the fsync (run it in a worker thread); a no-op for engines that sync every commit anyway.
    On PostgreSQL, one small transaction committed synchronously does the same (see
    ``_FLUSH_POSTGRESQL``); its fsync is shared with any other commit waiting at that moment."""
    if engine not in _GROUP_COMMIT:
        return
    wal = _GROUP_COMMIT[engine]
    if wal is None:
        # One statement as its own transaction (psycopg's autocommit): one round trip, not three
        # with BEGIN and COMMIT (SQLAlchemy's AUTOCOMMIT level costs more than it saves). Its
        # commit is synchronous: the setting is read when it commits.
        pooled = engine.raw_connection()
        try:
            driver = pooled.driver_connection
            assert driver is not None
            driver.autocommit = True
            try:
                driver.execute(_FLUSH_POSTGRESQL)
            finally:
                driver.autocommit = False
        finally:
            pooled.close()  # back to the pool
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


def migrate(engine: Engine, revision: str = "head", *, down: bool = False) -> None:
    """Upgrade the database behind ``engine`` to the latest schema (or to ``revision``; ``down``:
    downgrade to it), in one transaction."""
    config = alembic_config()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite changes a column by copying its table (batch mode); dropping the old copy of a
            # table other rows refer to (staff: tickets taken, notes, console accounts) fails with
            # foreign keys on, and the pragma is ignored inside a transaction: so off before
            # BEGIN, every reference checked before COMMIT, on again after.
            _sqlite_pragma(connection, "PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    # Several bot processes may start at once: the others wait here, then find the
                    # schema current. (On SQLite, BEGIN IMMEDIATE already serialises them.)
                    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
                config.attributes["connection"] = connection
                (command.downgrade if down else command.upgrade)(config, revision)
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise RuntimeError("migration left a reference to a missing row; rolled back")
        finally:
            if sqlite:
                _sqlite_pragma(connection, "PRAGMA foreign_keys=ON")


def _sqlite_pragma(connection: Connection, pragma: str) -> None:
    """A pragma outside any transaction: straight on the DB-API connection (autocommit), since
    SQLAlchemy would BEGIN first."""
    cursor = connection.connection.cursor()
    try:
        cursor.execute(pragma)
    finally:
        cursor.close()


@lru_cache(maxsize=1)
def _heads() -> frozenset[str]:
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def schema_is_current(engine: Engine) -> bool:
    """True when the database answers and its schema is at the latest migration (a process of a
    newer version must not take traffic before ``helpline db migrate`` ran)."""
    with engine.connect() as connection:
        return frozenset(MigrationContext.configure(connection).get_current_heads()) == _heads()
