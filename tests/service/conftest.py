"""Fixtures of the service tests: a Helpline over a migrated database (SQLite, and PostgreSQL when
configured), with a controllable clock, seeded ids and two agency staff chats."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from bot.config import Settings
from bot.service import Helpline
from tests.storage.conftest import engine  # noqa: F401 - the parametrized database fixture

KP2MI_CHAT = -1001
PPA_CHAT = -1002


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def helpline(engine: Engine) -> Iterator[Helpline]:  # noqa: F811
    rng = random.Random(11)
    counter = iter(range(1, 10**9))
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        helpline_staff_chat_kp2mi=KP2MI_CHAT,
        helpline_staff_chat_ppa_ppo=PPA_CHAT,
    )
    yield Helpline(
        engine, settings, clock=Clock(), random_bytes=rng.randbytes, new_id=lambda: f"n{next(counter)}"
    )
