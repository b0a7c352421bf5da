"""One poller (and, without a shared rate budget, one sender) among several bot processes.

Telegram answers a second getUpdates caller with 409 Conflict, so in polling mode the processes
sharing a PostgreSQL database elect one.

The poller is whoever holds a session-level advisory lock, on a connection of its own kept for
that. When the process dies its connection closes and PostgreSQL lets the lock go; the others
try for it every ``RETRY`` seconds, so one of them polls again within seconds, starting with the
updates the dead one had stored and not handled (bot/delivery/polling.py). The holder checks its
connection every ``CHECK`` seconds: a lost connection means a lost lock, and polling stops
before another process starts. The other processes keep sending the outbox and running the care
scheduler meanwhile: those are shared safely already.

SQLite is the embedded default for one process: there is nobody to elect."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)
POLLER_LOCK = 0x504D4950  # "PMIP"; storage/db.py's migration lock is another constant
RETRY = 1.0  # seconds between tries for the lock
CHECK = 2.0  # seconds between checks that the lock's connection is alive


async def elected(
    engine: Engine,
    stop: asyncio.Event,
    run: Callable[[asyncio.Event], Awaitable[None]],
    *,
    retry: float = RETRY,
    check: float = CHECK,
    lock: int = POLLER_LOCK,
    role: str = "polls Telegram",
) -> None:
    """Runs ``run(until)`` whenever this process holds ``lock`` (is the poller, or the one
    sender: bot/delivery/sender.py), until ``stop``; ``until`` is set on ``stop`` and when the
    lock is lost."""
    if engine.dialect.name != "postgresql":
        await run(stop)
        return
    while not stop.is_set():
        connection = await _acquire(engine, stop, retry, lock, role)
        if connection is None:
            return
        log.info("this process %s (elected)", role)
        until = asyncio.Event()
        watching = asyncio.create_task(_watch(connection, stop, until, check, lock))
        try:
            await run(until)
        finally:
            watching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watching
            await asyncio.to_thread(_let_go, connection)
        if not stop.is_set():
            log.warning("lost the lock of the process that %s; stopped until elected again", role)


async def _acquire(
    engine: Engine, stop: asyncio.Event, retry: float, lock: int, role: str
) -> Connection | None:
    """A connection holding the lock, or None when ``stop`` came first."""
    announced = False
    while not stop.is_set():
        try:
            connection = await asyncio.to_thread(_try, engine, lock)
        except Exception:
            log.warning(
                "trying for the lock of the process that %s failed; trying again", role, exc_info=True
            )
            connection = None
        if connection is not None:
            return connection
        if not announced:
            log.info("another process %s; this one waits to take over", role)
            announced = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), retry)
    return None


def _try(engine: Engine, lock: int) -> Connection | None:
    connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        if connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": lock}).scalar():
            return connection
    except Exception:
        connection.close()
        raise
    connection.close()
    return None


async def _watch(
    connection: Connection, stop: asyncio.Event, until: asyncio.Event, check: float, lock: int
) -> None:
    """Sets ``until`` on ``stop`` or when the lock's connection stops answering."""
    try:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), check)
            if stop.is_set():
                return
            try:
                await asyncio.to_thread(_holds, connection, lock)
            except Exception:
                log.warning("the connection holding an election lock failed", exc_info=True)
                return
    finally:
        until.set()


def _holds(connection: Connection, lock: int) -> None:
    held = connection.execute(
        text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
            "AND pid = pg_backend_pid() AND objid::bigint = :key"
        ),
        {"key": lock},
    ).scalar()
    if not held:
        raise RuntimeError("the election lock is no longer held")


def _let_go(connection: Connection) -> None:
    # Closing the connection for good (not back to the pool) lets the lock go with it, and
    # throws a failed connection away.
    with contextlib.suppress(Exception):
        connection.invalidate()
    connection.close()
