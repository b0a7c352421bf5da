"""Engines and schema migrations: how the helpline connects to its database and keeps it current."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

DEFAULT_URL = "sqlite:///helpline.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 0x504D4948  # any constant shared by all helpline processes ("PMIH")


def make_engine(url: str) -> Engine:
    """An engine for ``url``: SQLite (the embedded default) or PostgreSQL (production)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, in_memory=parsed.database in (None, "", ":memory:"))
    if parsed.drivername == "postgresql":
        # psycopg 3 is the only PostgreSQL driver installed; a bare postgresql:// means it too.
        parsed = parsed.set(drivername="postgresql+psycopg")
    # Several bot processes keep connections for a long time; a restarted server must not make
    # the next update fail on a dead connection.
    # hide_parameters: error messages (and so logged tracebacks) must not carry personal data.
    return create_engine(parsed, pool_pre_ping=True, hide_parameters=True)


def _sqlite_engine(url: str, *, in_memory: bool) -> Engine:
    # The bot's threads (scheduler, handlers) share the pool, so connections cross threads.
    engine = create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # sqlite3 would otherwise begin transactions lazily and only before writes; SQLAlchemy
        # emits BEGIN itself (below), which also makes SAVEPOINT and transactional DDL work.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            # Readers do not block the writer and the writer does not block readers.
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        # Take the write lock at BEGIN: two writers then queue on busy_timeout, instead of both
        # reading and the second failing with "database is locked" when it upgrades to write.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


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
