"""Fixtures of the privacy tests: the service over a migrated database (SQLite, and PostgreSQL
when configured) with a data key, so that everything runs the way production does."""

from __future__ import annotations

import base64
import random
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from bot.config import Settings
from bot.service import Helpline
from tests.service.conftest import KP2MI_CHAT, PPA_CHAT, Clock
from tests.storage.conftest import engine, new_ticket  # noqa: F401 - the storage fixtures

# Fixed keys (valid Fernet keys: 32 bytes, url-safe base64) so that runs are reproducible.
OLD_KEY = base64.urlsafe_b64encode(bytes(range(32))).decode()
NEW_KEY = base64.urlsafe_b64encode(bytes(range(32, 64))).decode()


def keyed_settings(**values: object) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        helpline_staff_chat_kp2mi=KP2MI_CHAT,
        helpline_staff_chat_ppa_ppo=PPA_CHAT,
        helpline_data_key=NEW_KEY,
        **values,  # type: ignore[arg-type]
    )


@pytest.fixture
def helpline(engine: Engine) -> Iterator[Helpline]:  # noqa: F811
    rng = random.Random(7)
    counter = iter(range(1, 10**9))
    yield Helpline(
        engine,
        keyed_settings(),
        clock=Clock(),
        random_bytes=rng.randbytes,
        new_id=lambda: f"n{next(counter)}",
    )
