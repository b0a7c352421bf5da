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


async def test_a_failed_write_fails_every_item_of_its_batch_and_the_next_batch_still_runs() -> None:
    calls: list[list[str]] = []

    def write(items: Sequence[str]) -> None:
        calls.append(list(items))
        if "bad" in items:
            raise RuntimeError("database is locked")

    batched: Batched[str] = Batched(write)
    results = await asyncio.gather(batched.submit("bad"), batched.submit("ok"), return_exceptions=True)
    assert [type(r) for r in results] == [RuntimeError, RuntimeError]
    await batched.submit("later")
    assert calls == [["bad", "ok"], ["later"]]


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
