"""Group commit on PostgreSQL: the runtime's commits return before the server syncs them, and
``flush_commits`` makes them durable before anyone outside learns of them (storage/db.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from storage.db import flush_commits, groups_commits, make_engine, migrate
from tests.storage.conftest import POSTGRES_URL, drop_everything

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="HELPLINE_TEST_DATABASE_URL is not set")


def test_flush_makes_every_commit_so_far_durable() -> None:
    assert POSTGRES_URL
    engine = make_engine(POSTGRES_URL, group_commit=True)
    try:
        drop_everything(engine)
        migrate(engine)
        assert groups_commits(engine)
        with engine.begin() as connection:
            assert connection.execute(text("SHOW synchronous_commit")).scalar() == "off"
            connection.execute(
                text("INSERT INTO processed_updates (source, update_id, processed_at) VALUES ('t', 1, now())")
            )
        with engine.connect() as connection:
            # Where the WAL ends after that commit: the flush must take the disk at least there.
            written = connection.execute(text("SELECT pg_current_wal_insert_lsn()")).scalar()
        engine.dispose()  # so that the flush's connection is the pool's only one, used below
        flush_commits(engine)
        with engine.connect() as connection:
            # The flush's synchronous commit was for its own transaction only.
            assert connection.execute(text("SHOW synchronous_commit")).scalar() == "off"
            flushed = connection.execute(
                text("SELECT pg_current_wal_flush_lsn() >= CAST(:written AS pg_lsn)"), {"written": written}
            ).scalar()
        assert flushed is True
        # The flush ran in autocommit; the pooled connection is transactional again.
        with engine.connect() as connection:
            connection.execute(
                text("INSERT INTO processed_updates (source, update_id, processed_at) VALUES ('t', 2, now())")
            )
            connection.rollback()
            left = connection.execute(text("SELECT count(*) FROM processed_updates WHERE update_id = 2"))
            assert left.scalar() == 0
    finally:
        engine.dispose()


def test_without_group_commit_every_commit_is_synced() -> None:
    assert POSTGRES_URL
    engine = make_engine(POSTGRES_URL)
    try:
        assert not groups_commits(engine)
        with engine.connect() as connection:
            assert connection.execute(text("SHOW synchronous_commit")).scalar() == "on"
        flush_commits(engine)  # nothing to do
    finally:
        engine.dispose()
