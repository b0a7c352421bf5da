"""Fixtures of the storage tests: a migrated database per test, on SQLite and (when configured)
PostgreSQL, and a factory of new tickets."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData

from flows.events import NewTicket
from storage.db import make_engine, migrate
from storage.uow import UnitOfWork

POSTGRES_URL = os.environ.get("HELPLINE_TEST_DATABASE_URL")
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

NewTicketFactory = Callable[..., NewTicket]


def drop_everything(engine: Engine) -> None:
    """Start from an empty schema: other test runs (or modules) may have left tables behind,
    alembic_version included, which would make ``migrate`` skip creating them."""
    metadata = MetaData()
    with engine.begin() as connection:
        metadata.reflect(connection)
        metadata.drop_all(connection)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'helpline.db'}")
    else:
        if not POSTGRES_URL:
            pytest.skip("HELPLINE_TEST_DATABASE_URL is not set")
        engine = make_engine(POSTGRES_URL)
        drop_everything(engine)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def uow(engine: Engine) -> Iterator[UnitOfWork]:
    with UnitOfWork(engine) as unit:
        yield unit


@pytest.fixture
def new_ticket() -> NewTicketFactory:
    def make(**overrides: Any) -> NewTicket:
        values: dict[str, Any] = {
            "ref": "PMI-AAAA-0001",
            "kind": "report",
            "category": "trafficking",
            "priority": "high",
            "owner": "ppa-ppo",
            "copied": ("kp2mi",),
            "lang": "id",
            "created_at": NOW,
            "idempotency_key": "key-1",
            "description": "Paspor saya ditahan majikan.",
        }
        values.update(overrides)
        return NewTicket(**values)

    return make
