"""Long polling that confirms an update only after it was handled.

Both libraries' own pollers confirm a batch (by asking for the next offset) as soon as it is
queued, so a crash at that moment would lose those updates. Here the next getUpdates call, which
is what confirms, is made only once the whole batch is handled; a crash before that means
Telegram delivers the batch again and the core's update-id log makes the repeats no-ops. Within
a batch, updates run concurrently (the adapter's ``handle`` keeps one person's updates in order)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

log = logging.getLogger(__name__)
ALLOWED_UPDATES: Sequence[str] = ("message", "callback_query")
LONG_POLL = 10  # seconds Telegram holds an empty getUpdates open
U = TypeVar("U")


async def poll(
    fetch: Callable[[int | None], Awaitable[Sequence[U]]],
    handle: Callable[[U], Awaitable[None]],
    update_id: Callable[[U], int],
    stop: asyncio.Event,
    *,
    retryable: Callable[[Exception], bool],
) -> None:
    """``fetch(offset)`` is one getUpdates call; its errors that are ``retryable`` are retried
    with backoff, any other (a wrong token, another instance polling) ends polling: a person
    must act."""
    offset: int | None = None
    failures = 0
    stopping = asyncio.create_task(stop.wait())
    try:
        while not stop.is_set():
            fetch_task = asyncio.ensure_future(fetch(offset))
            await asyncio.wait({fetch_task, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if not fetch_task.done():
                fetch_task.cancel()
                break
            try:
                updates = fetch_task.result()
            except Exception as exc:
                if not retryable(exc):
                    raise
                failures += 1
                delay = min(30.0, 0.5 * 2**failures)
                log.warning("getUpdates failed (%s), retrying in %.1fs", type(exc).__name__, delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            if updates:
                await handle_batch(handle, updates)
                offset = update_id(updates[-1]) + 1
    finally:
        stopping.cancel()


async def handle_batch(handle: Callable[[U], Awaitable[None]], updates: Sequence[U]) -> None:
    # Tasks start in arrival order, which the per-person locks turn into per-person order.
    tasks = [asyncio.ensure_future(handle(u)) for u in updates]
    for result in await asyncio.gather(*tasks, return_exceptions=True):
        if isinstance(result, BaseException):
            log.error("update processing crashed: %s", type(result).__name__)
