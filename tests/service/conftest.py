"""Fixtures of the service tests: a Helpline over a migrated database (SQLite, and PostgreSQL when
configured), with a controllable clock, seeded ids and two agency staff chats (tests/support/service.py)."""

from __future__ import annotations

from tests.storage.conftest import engine  # noqa: F401 - the parametrized database fixture
from tests.support.service import helpline  # noqa: F401 - the service fixture
