"""Fixtures of the privacy tests: the service over a migrated database (SQLite, and PostgreSQL
when configured) with a data key, so that everything runs the way production does."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from bot.config import Settings
from bot.service import Helpline
from tests.storage.conftest import engine, new_ticket  # noqa: F401 - the storage fixtures
from tests.support.service import make_helpline, staff_settings

# Fixed keys (valid Fernet keys: 32 bytes, url-safe base64) so that runs are reproducible.
OLD_KEY = base64.urlsafe_b64encode(bytes(range(32))).decode()
NEW_KEY = base64.urlsafe_b64encode(bytes(range(32, 64))).decode()


def keyed_settings(**values: object) -> Settings:
    return staff_settings(helpline_data_key=NEW_KEY, **values)


@pytest.fixture
def helpline(engine: Engine) -> Iterator[Helpline]:  # noqa: F811
    yield make_helpline(engine, seed=7, settings=keyed_settings())
