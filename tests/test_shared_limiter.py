"""Telegram's limits shared by several bot processes through Redis: each process's limiter is a
view of the same buckets. Runs against the Redis of HELPLINE_TEST_REDIS_URL (default: the local
one, database 6) under a key prefix of its own; skipped, saying so, when none answers."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
import redis

from bot.delivery.limiter import Limits
from bot.delivery.shared_limiter import SharedLimiter

REDIS_URL = os.environ.get("HELPLINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/6")
# Windows far longer than a test runs, so that no refill or expiry happens in between.
SLOW = Limits(overall=(5, 600.0), private_burst=3, private_per_second=0.001, group_chat=(2, 600.0))


@pytest.fixture
def client() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1.0)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis answers at {REDIS_URL}")
    yield client
    client.close()


@pytest.fixture
def processes(client: redis.Redis) -> Iterator[tuple[SharedLimiter, SharedLimiter]]:
    """Two processes' limiters on the same keys."""
    prefix = f"test:{secrets.token_hex(4)}:"
    yield SharedLimiter(client, SLOW, prefix), SharedLimiter(client, SLOW, prefix)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


def test_a_private_chat_has_one_burst_for_all_processes(
    processes: tuple[SharedLimiter, SharedLimiter],
) -> None:
    a, b = processes
    assert [a.take(1), b.take(1), a.take(1)] == [0, 0, 0]
    assert b.take(1) > 900  # the burst of 3 is used up, whoever sent
    assert a.take(2) == 0  # other people are not held up


def test_the_overall_limit_counts_every_process(processes: tuple[SharedLimiter, SharedLimiter]) -> None:
    a, b = processes
    for chat in (1, 2, 3):
        assert a.take(chat) == 0
    assert b.room() == (2, 0.0)
    assert b.take(4) == 0
    a.record(5)  # the later part of a split message
    assert a.room()[0] == 0 and a.room()[1] > 590
    assert b.take(6) > 590


def test_a_refusal_counts_nothing(processes: tuple[SharedLimiter, SharedLimiter]) -> None:
    a, b = processes
    for _ in range(3):
        assert a.take(1) == 0
    assert a.take(1) > 0
    assert b.take(1) > 0
    assert a.room() == (2, 0.0)  # the two refusals were not counted as sends


def test_groups_have_their_window_and_edits_are_not_counted(
    processes: tuple[SharedLimiter, SharedLimiter],
) -> None:
    a, b = processes
    assert [a.take(-100), b.take(-100)] == [0, 0]
    assert a.take(-100) > 590
    assert b.take(-100, counts=False) == 0  # an edit: only the overall limit applies


def test_a_429_pauses_the_chat_for_every_process(processes: tuple[SharedLimiter, SharedLimiter]) -> None:
    a, b = processes
    a.flood(1, 30)
    assert 29 < b.take(1) <= 30
    assert b.take(2) == 0  # one chat refused: the others go on
    b.flood(3, 30)  # a second chat refused within the window: everything waits
    assert a.room()[0] == 0 and 29 < a.room()[1] <= 30
    assert 29 < a.take(4) <= 30


def test_an_answered_send_is_counted_from_the_answer(client: redis.Redis) -> None:
    """As RateLimiter.answered: a send answered late holds its chat's next one for a whole
    interval from the answer, not from when it was taken."""
    prefix = f"test:{secrets.token_hex(4)}:"
    one = Limits(overall=(5, 600.0), private_burst=1, private_per_second=0.001)  # 1,000 s a token
    a, b = SharedLimiter(client, one, prefix), SharedLimiter(client, one, prefix)
    try:
        assert a.take(1) == 0
        # The send was taken 800 s ago (by Redis's clock) and is only answered now.
        seconds, micros = client.time()
        client.hset(f"{prefix}chat:1", "stamp", f"{seconds + micros / 1e6 - 800:.6f}")
        assert 150 < b.take(1) < 250  # counted from when it was taken: 200 s to go
        b.answered(1)
        assert a.take(1) > 900  # counted from the answer
        a.answered(-100)  # a group's window, or a chat nobody sent to: nothing to settle
        a.answered(2)
        assert a.take(2) == 0
    finally:
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
