"""Long polling with aiogram's Bot, confirming a batch only once it is stored
(bot/delivery/polling.py).

aiogram's own ``Dispatcher.start_polling`` asks for the next offset before its update tasks have
finished, and handles each update as a separate task, so one person's updates can overtake each
other; here a batch is stored before it is confirmed, and one person's updates are handled in
order. A batch aiogram cannot read whole is handed back as Telegram sent it, to be read one
update at a time (``polling.Refused``); aiogram raised ClientDecodeError for it, and the same
batch was fetched again forever."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramConflictError,
    TelegramUnauthorizedError,
)
from aiogram.types import Update

from bot.aiogram_rt.translate import ordering_key
from bot.delivery import polling
from bot.delivery.durable import GroupCommit
from bot.delivery.ordering import KeyedSerializer
from storage.inbox import Inbox

log = logging.getLogger(__name__)


class UpdateProcessor:
    """Feeds updates to the dispatcher, one person's strictly in order."""

    def __init__(self, dispatcher: Dispatcher, bot: Bot) -> None:
        self.dispatcher, self.bot = dispatcher, bot
        self._order = KeyedSerializer()

    async def process(self, update: Update) -> None:
        await self._order.run(ordering_key(update), self._feed(update))

    async def _feed(self, update: Update) -> None:
        try:
            await self.dispatcher.feed_update(self.bot, update)
        except Exception:
            # Logged with the update id only: the update may hold personal data. The update
            # counts as handled, as with python-telegram-bot's error handler.
            log.exception("update=%s failed", update.update_id)


async def poll(
    bot: Bot,
    processor: UpdateProcessor,
    stop: asyncio.Event,
    inbox: Inbox,
    durable: GroupCommit | None = None,
) -> None:
    async def fetch(offset: int | None, wait: int) -> list[tuple[Mapping[str, Any], Update]]:
        try:
            updates = await bot.get_updates(
                offset=offset,
                timeout=wait,
                allowed_updates=list(polling.ALLOWED_UPDATES),
                request_timeout=polling.LONG_POLL + 10,
            )
        except ClientDecodeError as exc:
            raws = _refused(exc)
            if raws is None:
                raise
            raise polling.Refused(raws) from exc
        # What was sent, back as JSON (pydantic does this fast enough to not keep the body).
        return [(u.model_dump(mode="json", exclude_unset=True, by_alias=True), u) for u in updates]

    def parse(raw: Mapping[str, Any]) -> Update:
        return Update.model_validate(raw, context={"bot": bot})

    source = polling.Source(fetch, parse, processor.process, ordering_key, _retryable)
    await polling.poll(source, inbox, stop, durable=durable.sync if durable is not None else None)


def _refused(exc: ClientDecodeError) -> list[Any] | None:
    """The updates of a successful getUpdates answer that aiogram could not read, or None when
    the answer was something else (no JSON, an error)."""
    data = exc.data
    if not isinstance(data, dict) or data.get("ok") is not True:
        return None
    result = data.get("result")
    return result if isinstance(result, list) else None


def _retryable(exc: Exception) -> bool:
    # A wrong token or another instance polling will not go away by waiting.
    if isinstance(exc, TelegramUnauthorizedError | TelegramConflictError):
        return False
    return isinstance(exc, TelegramAPIError | ClientDecodeError)
