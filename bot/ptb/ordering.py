"""python-telegram-bot's update processor, made concurrent across people and ordered per person.

python-telegram-bot handles one update at a time unless told otherwise, which caps the bot at
about one update per database and API round trip. This processor lets updates of different
people run at once while each person's updates wait for the previous one of that person."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.delivery.ordering import KeyedSerializer
from bot.ptb.translate import ordering_key

# Updates in hand at once. Not what bounds the work: the core's threads do
# (bot/delivery/core_queue.py), and upstream long polling's workers or Telegram's webhook
# connections (40 by default, at most 100). Held at 64, a webhook update beyond it waited on
# python-telegram-bot's first-come semaphore, where a person in danger could not be taken first.
CONCURRENT = 1024


class PerUserUpdateProcessor(BaseUpdateProcessor):
    def __init__(
        self, max_concurrent_updates: int = CONCURRENT, key: Callable[[object], int | None] | None = None
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._order = KeyedSerializer()
        self._key = key or _update_key

    @property
    def active_keys(self) -> int:
        """How many people currently have an update in progress or waiting (for tests)."""
        return self._order.active_keys

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await self._order.run(self._key(update), coroutine)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def _update_key(update: object) -> int | None:
    return ordering_key(update) if isinstance(update, Update) else None
