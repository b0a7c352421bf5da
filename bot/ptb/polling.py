"""Long polling with python-telegram-bot's Bot, confirming a batch only once it is stored
(bot/delivery/polling.py); python-telegram-bot's own Updater confirms a batch as soon as it is
queued in memory, so it is not used.

A batch python-telegram-bot cannot read whole is handed back as Telegram sent it, to be read one
update at a time (``polling.Refused``)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, TelegramError
from telegram.ext import Application

from bot.delivery import polling
from bot.delivery.durable import GroupCommit
from bot.ptb.request import GetUpdatesRequest
from bot.ptb.translate import ordering_key
from storage.inbox import Inbox

# The application with whatever context types; this adapter uses none of them.
AnyApp = Application[Any, Any, Any, Any, Any, Any]
# Where the application's bot logs, at CRITICAL, a batch it cannot read: the whole batch.
BOT_LOGGER = "telegram.ext.ExtBot"


class _NoBatchDump(logging.Filter):
    """Drops python-telegram-bot's "Error while parsing updates! Received data was ..." record:
    it quotes every update of the batch with a stack trace, and polling reads the batch again
    one update at a time, logging each one it cannot read by id and kind only."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Error while parsing updates")


_no_batch_dump = _NoBatchDump()


async def poll(
    app: AnyApp,
    stop: asyncio.Event,
    inbox: Inbox,
    request: GetUpdatesRequest,
    durable: GroupCommit | None = None,
) -> None:
    """``request`` is the application's getUpdates request, whose answers give the updates as
    Telegram sent them."""

    async def fetch(offset: int | None, wait: int) -> Sequence[tuple[Mapping[str, Any], Update]]:
        try:
            updates: Sequence[Update] = await app.bot.get_updates(
                offset=offset,
                timeout=wait,
                allowed_updates=polling.ALLOWED_UPDATES,
                read_timeout=polling.LONG_POLL + 10,
            )
        except TelegramError:
            raise
        except Exception as exc:  # the parsing of the answer (TypeError, KeyError...)
            raws = _result(request.last_body)
            if raws is None:
                raise
            raise polling.Refused(raws) from exc
        return _with_raw(updates, request.last_body)

    def parse(raw: Mapping[str, Any]) -> Update:
        update = Update.de_json(dict(raw), app.bot)
        assert update is not None
        return update

    async def handle(update: Update) -> None:
        await process(app, update)

    source = polling.Source(fetch, parse, handle, ordering_key, _retryable)
    logging.getLogger(BOT_LOGGER).addFilter(_no_batch_dump)  # once: a filter is kept in a set
    await polling.poll(source, inbox, stop, durable=durable.sync if durable is not None else None)


def _with_raw(updates: Sequence[Update], body: bytes) -> list[tuple[Mapping[str, Any], Update]]:
    """Each parsed update with its JSON from the answer's body; python-telegram-bot's own JSON of
    it if the two do not line up (they always should)."""
    raws = (_result(body) or []) if updates else []
    if len(raws) != len(updates) or any(
        not isinstance(raw, dict) or raw.get("update_id") != update.update_id
        for raw, update in zip(raws, updates, strict=False)
    ):
        raws = [update.to_dict() for update in updates]
    return list(zip(raws, updates, strict=True))


def _result(body: bytes) -> list[Any] | None:
    """The updates of a getUpdates answer's body, or None when it holds no list of them."""
    try:
        answer = json.loads(body)
    except (ValueError, RecursionError):
        return None
    result = answer.get("result") if isinstance(answer, dict) else None
    return result if isinstance(result, list) else None


def _retryable(exc: Exception) -> bool:
    # A wrong token or another instance polling will not go away by waiting.
    return isinstance(exc, TelegramError) and not isinstance(exc, InvalidToken | Conflict)


async def process(app: AnyApp, update: Update) -> None:
    """Through the application's update processor, which keeps one person's updates in order."""
    await app.update_processor.process_update(update, app.process_update(update))
