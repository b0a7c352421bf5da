"""Per-chat claims of the outbox: two senders (bot processes) never hold one chat at once, so one
chat's messages are sent by one sender at a time and in order."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from storage.uow import UnitOfWork
from tests.storage.conftest import NOW

LEASE = NOW + timedelta(seconds=60)


def _queue(engine: Engine, *chats: int) -> list[int]:
    with UnitOfWork(engine) as uow:
        rows = [uow.outbox.enqueue(chat, {"text": str(n)}, 5, NOW) for n, chat in enumerate(chats)]
        uow.commit()
    return [row.id for row in rows if row is not None and row.id is not None]


def _claim(engine: Engine, owner: str, limit: int = 10, now: datetime = NOW) -> list[tuple[int, int]]:
    with UnitOfWork(engine) as uow:
        rows = uow.outbox.claim(now, limit, now + timedelta(seconds=60), (), owner)
        uow.commit()
    return [(row.chat_id, row.id) for row in rows]


def test_a_chat_claimed_by_one_sender_is_left_by_the_other(engine: Engine) -> None:
    first, second, third, other = _queue(engine, 1, 1, 1, 2)
    # A takes only the first message of chat 1 (its claim limit), yet holds the whole chat.
    assert _claim(engine, "a", limit=1) == [(1, first)]
    assert _claim(engine, "b") == [(2, other)]
    with UnitOfWork(engine) as uow:
        uow.outbox.mark_sent(first, 10, NOW)
        uow.outbox.release("a", [1], [], NOW)
        uow.commit()
    assert _claim(engine, "b") == [(1, second), (1, third)]


def test_a_claim_runs_out_when_its_sender_is_gone(engine: Engine) -> None:
    first, second = _queue(engine, 1, 1)
    assert _claim(engine, "a", limit=1) == [(1, first)]
    assert _claim(engine, "b") == []
    # A died: its lease and its claim end together, and B sends from the first message on.
    assert _claim(engine, "b", now=NOW + timedelta(seconds=60)) == [(1, first), (1, second)]


def test_a_chat_waiting_for_a_retry_stays_held(engine: Engine) -> None:
    first, second = _queue(engine, 1, 1)
    assert _claim(engine, "a") == [(1, first), (1, second)]
    retry_at = NOW + timedelta(seconds=5)
    with UnitOfWork(engine) as uow:
        uow.outbox.retry_later(first, retry_at, "429")
        uow.outbox.hold_chat("a", 1, retry_at)
        # The second was not tried: due again, but not for another sender before the retry.
        uow.outbox.release("a", [], [second], NOW)
        uow.commit()
    assert _claim(engine, "b", now=NOW + timedelta(seconds=1)) == []
    assert _claim(engine, "b", now=retry_at) == [(1, first), (1, second)]


def test_released_chats_and_untouched_messages_are_free_again(engine: Engine) -> None:
    first, second = _queue(engine, 1, 2)
    assert _claim(engine, "a") == [(1, first), (2, second)]
    with UnitOfWork(engine) as uow:
        uow.outbox.mark_sent(first, 10, NOW)
        uow.outbox.release("a", [1, 2], [second], NOW)
        uow.commit()
    assert _claim(engine, "b") == [(2, second)]


def test_claims_at_the_same_moment_give_a_chat_to_one_sender(engine: Engine) -> None:
    """B looks while A's claim is not committed: B skips A's locked rows, finds chat 1's third
    message, and must still not take the chat once A commits."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: claims cannot overlap there")
    first, second, third = _queue(engine, 1, 1, 1)
    got: list[list[tuple[int, int]]] = []
    with UnitOfWork(engine) as uow:
        rows = uow.outbox.claim(NOW, 2, LEASE, (), "a")
        assert [row.id for row in rows] == [first, second]
        other = threading.Thread(target=lambda: got.append(_claim(engine, "b")), daemon=True)
        other.start()
        _wait_for_a_lock_wait(engine)
        uow.commit()
    other.join(timeout=30)
    assert got == [[]]
    assert third


def _wait_for_a_lock_wait(engine: Engine) -> None:
    """Until some session of this database waits for a lock (B, on A's claim)."""
    deadline = time.monotonic() + 30
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            if connection.execute(query).scalar():
                return
        time.sleep(0.01)
    raise AssertionError("the second claim never waited for the first")


def test_a_process_started_again_takes_over_at_once(engine: Engine) -> None:
    """Same name (HELPLINE_INSTANCE) as the one that died: no waiting for its lease."""
    first, second, other = _queue(engine, 1, 1, 2)
    assert _claim(engine, "bot-1", limit=1) == [(1, first)]
    assert _claim(engine, "bot-2") == [(2, other)]
    with UnitOfWork(engine) as uow:
        assert uow.outbox.take_over("bot-1", NOW) == 1
        uow.commit()
    assert _claim(engine, "bot-1") == [(1, first), (1, second)]
    with UnitOfWork(engine) as uow:
        assert uow.outbox.take_over("bot-3", NOW) == 0  # held nothing: changes nothing
        uow.commit()
    assert _claim(engine, "bot-3") == []  # bot-2's chat and message stay bot-2's
