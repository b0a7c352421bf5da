"""One person's updates strictly in order, different people's at once.

Neither library does this by itself: python-telegram-bot handles one update at a time unless
told otherwise (about one update per database and API round trip), and aiogram handles every
update as its own task, so two messages of one person can overtake each other."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Hashable
from typing import TypeVar

T = TypeVar("T")


class _Slot:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0  # updates holding or waiting for the lock


class KeyedSerializer:
    """One asyncio.Lock per key, dropped when nobody holds or waits for it.

    Order holds when work is started in arrival order, because asyncio.Lock wakes its waiters
    first-in, first-out."""

    def __init__(self) -> None:
        self._slots: dict[Hashable, _Slot] = {}

    @property
    def active_keys(self) -> int:
        """How many keys currently have work in progress or waiting (for tests)."""
        return len(self._slots)

    async def run(self, key: Hashable | None, work: Awaitable[T]) -> T:
        """Awaits ``work`` after all earlier work of ``key``; no key means no ordering."""
        if key is None:
            return await work
        slot = self._slots.get(key)
        if slot is None:
            slot = self._slots[key] = _Slot()
        slot.users += 1
        try:
            async with slot.lock:
                return await work
        finally:
            slot.users -= 1
            if slot.users == 0:
                del self._slots[key]
