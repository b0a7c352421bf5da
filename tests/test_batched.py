"""bot/delivery/batched.py: the sender's records of sends made together share one transaction."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import pytest

from bot.delivery.batched import Batched


async def test_items_asked_for_together_are_written_together_in_order() -> None:
    batches: list[list[int]] = []
    first_started = threading.Event()
    go_on = threading.Event()

    def write(items: Sequence[int]) -> None:
        batches.append(list(items))
        if len(batches) == 1:
            first_started.set()
            go_on.wait(5)  # the first transaction is slow; the others queue meanwhile

    batched: Batched[int] = Batched(write)
    first = asyncio.create_task(batched.submit(0))
    await asyncio.to_thread(first_started.wait, 5)
    rest = [asyncio.create_task(batched.submit(n)) for n in range(1, 6)]
    await asyncio.sleep(0.01)
    assert not any(task.done() for task in rest)  # nobody returns before their item is written
    go_on.set()
    await asyncio.gather(first, *rest)
    assert batches == [[0], [1, 2, 3, 4, 5]]


async def test_a_failed_batch_is_written_item_by_item_and_only_the_bad_item_fails() -> None:
    calls: list[list[str]] = []

    def write(items: Sequence[str]) -> None:
        calls.append(list(items))
        if "bad" in items:
            raise RuntimeError("database is locked")

    batched: Batched[str] = Batched(write)
    results = await asyncio.gather(
        batched.submit("ok1"), batched.submit("bad"), batched.submit("ok2"), return_exceptions=True
    )
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], RuntimeError)
    assert calls == [["ok1", "bad", "ok2"], ["ok1"], ["bad"], ["ok2"]]
    await batched.submit("later")
    assert calls[-1] == ["later"]


async def test_a_cancelled_caller_does_not_stop_the_others() -> None:
    release = threading.Event()
    written: list[str] = []

    def write(items: Sequence[str]) -> None:
        release.wait(5)
        written.extend(items)

    batched: Batched[str] = Batched(write)
    gone = asyncio.create_task(batched.submit("a"))
    stays = asyncio.create_task(batched.submit("b"))
    await asyncio.sleep(0.01)
    gone.cancel()
    release.set()
    await stays
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert written == ["a", "b"]  # its write was already under way: it happened all the same
