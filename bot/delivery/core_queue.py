"""The worker threads that run the synchronous core, a person in danger first.

In webhook mode every request that Telegram holds open waits for a core call, and in a crisis
burst hundreds do at once. First come, first served (``asyncio.to_thread`` on the loop's one
executor), a message saying "disekap" waited behind every ordinary one that arrived before it,
and the outbox sender's and the group commit's own database calls waited in that same queue:
the emergency card's p99 was 11.55 s in the three-process burst (README, Several processes).
Here the core has threads of its own, and a call whose words ask for help now
(``flows.emergency.asks_for_help_now``, the decision long polling's backlog makes too) is taken
before every ordinary one still waiting. Calls of one person stay in order: the runtime
serialises them before they get here (bot/delivery/ordering.py)."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
# As many as the loop's default executor has (Python's own choice for I/O-bound work): the
# core waits on the database most of the time. Below the engine's pool of 5 + 10 connections,
# with room for the sender's and the group commit's calls beside.
WORKERS = min(32, (os.cpu_count() or 1) + 4)
URGENT, ORDINARY = 0, 1


class CoreQueue:
    """``workers`` threads; callers wait for one in order of (urgency, arrival)."""

    def __init__(self, workers: int = WORKERS) -> None:
        self.workers = workers
        self._free = workers
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="helpline-core")
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrival = itertools.count()

    @property
    def waiting(self) -> int:
        """Calls waiting for a thread (for tests and the bench)."""
        return sum(1 for *_, f in self._waiting if not f.done())

    async def run(self, work: Callable[[], T], *, urgent: bool = False) -> T:
        await self._take(URGENT if urgent else ORDINARY)
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, work)
        finally:
            self._give_back()

    async def _take(self, rank: int) -> None:
        if self._free > 0:  # then nobody waits: a thread given back goes to a waiter first
            self._free -= 1
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (rank, next(self._arrival), turn))
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self._give_back()  # the thread was handed over as the caller gave up: pass it on
            raise

    def _give_back(self) -> None:
        while self._waiting:
            *_, turn = heapq.heappop(self._waiting)
            if not turn.done():
                turn.set_result(None)  # the thread goes straight to the next in line
                return
        self._free += 1
