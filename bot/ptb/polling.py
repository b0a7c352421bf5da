"""Long polling with python-telegram-bot's Bot, confirming offsets only after handling
(bot/delivery/polling.py); python-telegram-bot's own Updater confirms a batch as soon as it is
queued, so it is not used."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, TelegramError
from telegram.ext import Application

from bot.delivery import polling

# The application with whatever context types; this adapter uses none of them.
AnyApp = Application[Any, Any, Any, Any, Any, Any]


async def poll(app: AnyApp, stop: asyncio.Event) -> None:
    async def fetch(offset: int | None) -> Sequence[Update]:
        updates: Sequence[Update] = await app.bot.get_updates(
            offset=offset,
            timeout=polling.LONG_POLL,
            allowed_updates=polling.ALLOWED_UPDATES,
            read_timeout=polling.LONG_POLL + 10,
        )
        return updates

    async def handle(update: Update) -> None:
        await process(app, update)

    await polling.poll(fetch, handle, lambda update: update.update_id, stop, retryable=_retryable)


def _retryable(exc: Exception) -> bool:
    # A wrong token or another instance polling will not go away by waiting.
    return isinstance(exc, TelegramError) and not isinstance(exc, InvalidToken | Conflict)


async def process(app: AnyApp, update: Update) -> None:
    """Through the application's update processor, which keeps one person's updates in order."""
    await app.update_processor.process_update(update, app.process_update(update))
