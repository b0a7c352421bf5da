"""PostgreSQL engines (storage/db.py): group commit (the runtime's commits return before the
server syncs them, and ``flush_commits`` makes them durable before anyone outside learns of
them), and pinging only connections that sat idle in the pool."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from storage import db
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


def test_a_connection_idle_in_the_pool_is_tried_before_it_is_handed_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PING_AFTER (storage/db.py): a connection back from work a moment ago is handed out as it
    is; one that sat in the pool longer is pinged, and a dead one replaced."""
    assert POSTGRES_URL
    clock = [1000.0]
    monkeypatch.setattr(db, "_clock", lambda: clock[0])
    engine = make_engine(POSTGRES_URL, group_commit=True)
    admin = make_engine(POSTGRES_URL)

    def kill_pooled() -> None:
        with engine.connect() as connection:
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        with admin.connect() as connection:
            assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
            # The signal is sent at once; wait (up to 10 s) until the server process has gone.
            # A transaction sees one snapshot of pg_stat_activity: a new one for each look.
            alive = text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid")
            for _ in range(1000):
                connection.rollback()
                if not connection.execute(alive, {"pid": pid}).scalar():
                    break
                time.sleep(0.01)
            else:
                raise AssertionError("the terminated server process is still there")

    try:
        kill_pooled()
        clock[0] += db.PING_AFTER + 1  # idle long enough: pinged, found dead, replaced
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
        kill_pooled()
        clock[0] += db.PING_AFTER / 2  # used a moment ago: handed out unpinged, and fails once
        with pytest.raises(OperationalError), engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        with engine.connect() as connection:  # the failure recycled the pool (the update is retried)
            assert connection.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()
        admin.dispose()
