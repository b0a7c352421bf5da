"""The elected poller: of the processes sharing a PostgreSQL database, one polls; when it goes,
another takes over."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from bot.delivery.election import POLLER_LOCK, elected
from storage.db import make_engine

POSTGRES_URL = os.environ.get("HELPLINE_TEST_DATABASE_URL")


@pytest.fixture
def engine() -> Iterator[Engine]:
    if not POSTGRES_URL:
        pytest.skip("HELPLINE_TEST_DATABASE_URL is not set")
    engine = make_engine(POSTGRES_URL)
    yield engine
    engine.dispose()


class Poller:
    """One process's polling: records when it runs, and runs until told to stop."""

    def __init__(self, name: str, log: list[str]) -> None:
        self.name, self.log = name, log
        self.running = asyncio.Event()
        self.runs = 0
        self.ran_again = asyncio.Event()

    async def __call__(self, until: asyncio.Event) -> None:
        self.log.append(f"{self.name} polls")
        self.runs += 1
        if self.runs > 1:
            self.ran_again.set()
        self.running.set()
        await until.wait()
        self.log.append(f"{self.name} stops")
        self.running.clear()


async def test_one_process_polls_and_another_takes_over(engine: Engine) -> None:
    log: list[str] = []
    first, second = Poller("first", log), Poller("second", log)
    stop_first, stop_second = asyncio.Event(), asyncio.Event()
    one = asyncio.create_task(elected(engine, stop_first, first, retry=0.05, check=0.05))
    await asyncio.wait_for(first.running.wait(), 10)
    two = asyncio.create_task(elected(engine, stop_second, second, retry=0.05, check=0.05))
    # The second tries (and fails) for the lock a few times while the first holds it.
    await asyncio.sleep(0.3)
    assert log == ["first polls"]
    stop_first.set()
    await asyncio.wait_for(one, 10)
    await asyncio.wait_for(second.running.wait(), 10)
    assert log == ["first polls", "first stops", "second polls"]
    stop_second.set()
    await asyncio.wait_for(two, 10)


async def test_a_lost_lock_stops_polling(engine: Engine) -> None:
    """The lock's connection is killed (a database restart, a network cut): polling stops, and
    starts again once the lock is held again."""
    log: list[str] = []
    poller = Poller("only", log)
    stop = asyncio.Event()
    task = asyncio.create_task(elected(engine, stop, poller, retry=0.05, check=0.05))
    await asyncio.wait_for(poller.running.wait(), 10)
    with engine.connect() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                "AND objid::bigint = :key"
            ),
            {"key": POLLER_LOCK},
        )
    await asyncio.wait_for(poller.ran_again.wait(), 10)
    assert log[:3] == ["only polls", "only stops", "only polls"]
    stop.set()
    await asyncio.wait_for(task, 10)


async def test_sqlite_has_nobody_to_elect() -> None:
    sqlite = make_engine("sqlite://")
    log: list[str] = []
    stop = asyncio.Event()
    stop.set()
    await elected(sqlite, stop, Poller("only", log))
    assert log == ["only polls", "only stops"]
