"""The core's worker threads (bot/delivery/core_queue.py): a person in danger is taken before
every ordinary call still waiting, ordinary calls in arrival order, a caller who gives up
passes the thread on, and the core call uses the words' urgency (bot/delivery/core_call.py)."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime

import pytest

from bot.delivery import core_call
from bot.delivery.actions import PersonMessage
from bot.delivery.core_queue import CoreQueue
from flows.incoming import TextIn


async def blocked(queue: CoreQueue, gate: threading.Event, started: asyncio.Event) -> str:
    def work() -> str:
        gate.wait(5)
        return "first"

    started.set()
    return await queue.run(work)


async def test_danger_is_taken_before_ordinary_calls_waiting_and_ordinary_ones_in_order() -> None:
    queue = CoreQueue(workers=1)
    gate, started = threading.Event(), asyncio.Event()
    order: list[str] = []
    holder = asyncio.create_task(blocked(queue, gate, started))
    await started.wait()
    await asyncio.sleep(0.01)  # the only thread is now busy

    def record(name: str) -> str:
        order.append(name)
        return name

    waiting = [asyncio.create_task(queue.run(lambda n=f"ordinary {i}": record(n))) for i in range(3)]
    await asyncio.sleep(0)
    danger = asyncio.create_task(queue.run(lambda: record("danger"), urgent=True))
    await asyncio.sleep(0.01)
    assert queue.waiting == 4
    gate.set()
    results = await asyncio.gather(holder, danger, *waiting)
    assert results == ["first", "danger", "ordinary 0", "ordinary 1", "ordinary 2"]
    assert order == ["danger", "ordinary 0", "ordinary 1", "ordinary 2"]
    assert queue.waiting == 0


async def test_a_caller_who_gives_up_passes_the_thread_on_and_errors_reach_the_caller() -> None:
    queue = CoreQueue(workers=1)
    gate, started = threading.Event(), asyncio.Event()
    holder = asyncio.create_task(blocked(queue, gate, started))
    await started.wait()
    await asyncio.sleep(0.01)
    gone = asyncio.create_task(queue.run(lambda: "never"))
    after = asyncio.create_task(queue.run(lambda: "after"))
    await asyncio.sleep(0)
    gone.cancel()
    gate.set()
    assert await holder == "first"
    assert await after == "after"
    assert gone.cancelled()

    def fails() -> None:
        raise ValueError("the core failed")

    with pytest.raises(ValueError, match="the core failed"):
        await queue.run(fails)
    # Every thread is free again: as many calls as threads run at once, none waits.
    assert await asyncio.gather(*(queue.run(lambda: 1) for _ in range(3))) == [1, 1, 1]
    assert queue.waiting == 0


async def test_the_core_call_asks_for_danger_first_only_when_the_words_ask_for_help_now() -> None:
    seen: list[bool] = []

    class Recording(CoreQueue):
        async def run(self, work, *, urgent=False):  # type: ignore[no-untyped-def,override]
            seen.append(urgent)
            return None

    sent_at = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    for words in ("halo", "tolong saya disekap"):
        action = PersonMessage(telegram_id=5, incoming=TextIn(words), message_id=1, sent_at=sent_at)
        await core_call.call_core(None, 1, action, Recording(1))  # type: ignore[arg-type]
    assert seen == [False, True]
