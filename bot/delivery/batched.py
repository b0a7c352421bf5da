"""Writes that many coroutines ask for at once, done together: one database transaction (in a
worker thread) for everything asked while the previous one ran.

The sender records every message it sent (its Telegram id, the links replies need, the ids /hapus
deletes). One transaction per message cost a BEGIN, a COMMIT and a thread hop each: with SQLite
the writers queued for its single write lock, and recording took a sixth of the bot's CPU in the
end-to-end benchmark (README, Performance). A caller still returns only once its own item is
committed, so nothing is treated as recorded before it is. When a batch fails, its items are
written one by one, so only what cannot be written fails."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class Batched(Generic[T]):
    def __init__(self, write: Callable[[Sequence[T]], None]) -> None:
        """``write`` stores a batch in one transaction (it runs in a worker thread)."""
        self._write = write
        self._pending: list[tuple[T, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> None:
        """Returns once ``item`` is written; raises what ``write`` raised for its batch."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((item, done))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_all())
        await done

    async def _write_all(self) -> None:
        # A task of its own, not the first caller's: a caller cancelled while waiting must not
        # leave the others' items written but never answered.
        batch: list[tuple[T, asyncio.Future[None]]] = []
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                try:
                    await asyncio.to_thread(self._write, [item for item, _ in batch])
                except Exception as exc:
                    if len(batch) == 1:
                        _settle(batch[0][1], exc)
                        continue
                    # One bad item must not fail the others (a send not recorded is sent again):
                    # each is written on its own, as before batching.
                    for item, waiting in batch:
                        try:
                            await asyncio.to_thread(self._write, [item])
                        except Exception as one:
                            _settle(waiting, one)
                        else:
                            _settle(waiting, None)
                else:
                    for _, waiting in batch:
                        _settle(waiting, None)
        finally:
            self._writer = None
            for _, waiting in batch:
                waiting.cancel()  # only those not settled: this task itself was cancelled


def _settle(future: asyncio.Future[None], error: Exception | None) -> None:
    if future.done():  # its caller was cancelled; nobody waits for it any more
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)
