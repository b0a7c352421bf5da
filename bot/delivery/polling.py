"""Long polling that confirms an update only once it is stored, and handles it from there.

Both libraries' own pollers confirm a batch (by asking for the next offset) as soon as it is
queued in memory, so a crash at that moment would lose those updates. Here each batch is written
to the database (``incoming_updates``) and synced before the next getUpdates call confirms it; a
crash before that means Telegram delivers the batch again (stored once), and a crash after it
leaves the stored updates to be handled on start. The core's update-id log makes any update
handled twice a no-op.

Confirming only after handling, as this module did before, kept the bot from even seeing an
update until it had handled every one fetched before it: in a burst, a person writing "disekap"
waited behind the whole queue at Telegram (a minute in the crisis benchmark). Now batches are
fetched as fast as Telegram gives them, up to ``BACKLOG_LIMIT`` waiting, and the backlog
(bot/delivery/backlog.py) serves a person in danger first, everyone's updates in their order.

A batch the library refuses whole (one update in it with a field Telegram added before the
library caught up) is read one update at a time, as the webhook reads each: every update is
stored, the unreadable ones handled from their core fields or, with nothing the core can handle,
logged by id and kind only (bot/delivery/salvage.py), and the batch confirmed. Raising instead
stopped python-telegram-bot's polling and made aiogram fetch the same batch forever."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from bot.delivery.backlog import Backlog, urgent
from bot.delivery.salvage import parse_or_salvage, read_stored
from bot.delivery.webhook import MAX_UPDATE_ID
from storage.inbox import Inbox

log = logging.getLogger(__name__)
ALLOWED_UPDATES: Sequence[str] = ("message", "callback_query")
LONG_POLL = 10  # seconds Telegram holds an empty getUpdates open
WORKERS = 32  # updates handled at once (different people)
BACKLOG_LIMIT = 5_000  # updates fetched and waiting; beyond this Telegram keeps them
FORGET_EVERY = 1.0  # seconds between removing handled updates from the database
FULL_BATCH = 100  # getUpdates gives at most this many: a full batch means more are waiting
U = TypeVar("U")
Raw = Mapping[str, Any]  # an update as Telegram sent it (JSON)


class Refused(Exception):
    """Raised by a source's ``fetch`` when its library could not read a batch: the batch's
    updates as Telegram sent them (the ``result`` of the getUpdates answer)."""

    def __init__(self, raws: Sequence[Any]) -> None:
        super().__init__(f"a batch of {len(raws)} updates the library could not read")
        self.raws = raws


@dataclass(frozen=True)
class Source(Generic[U]):
    """What an adapter gives long polling, in its library's terms."""

    # One getUpdates call (offset, seconds Telegram may hold it open when there is nothing):
    # each update as Telegram sent it, and parsed by the library; Refused when the library
    # could not read them all.
    fetch: Callable[[int | None, int], Awaitable[Sequence[tuple[Raw, U]]]]
    parse: Callable[[Raw], U]  # a stored update, after a restart
    handle: Callable[[U], Awaitable[None]]
    key: Callable[[U], Hashable | None]  # updates with the same key are handled in order
    # Errors of fetch worth retrying; any other (a wrong token, another instance polling) ends
    # polling: a person must act.
    retryable: Callable[[Exception], bool]


async def poll(
    source: Source[U],
    inbox: Inbox,
    stop: asyncio.Event,
    *,
    durable: Callable[[], Awaitable[None]] | None = None,
    workers: int = WORKERS,
    limit: int = BACKLOG_LIMIT,
) -> None:
    """Polls until ``stop``; then the updates in hand are finished and the rest stay stored.
    ``durable`` is awaited before a batch is confirmed: it must be on disk first
    (bot/delivery/durable.py)."""
    backlog: Backlog[U] = Backlog()

    async def fetch(offset: int | None, wait: int) -> Sequence[tuple[Raw, U | None]]:
        """A batch, each update with what the library made of it: None for one it could not
        read and the core cannot handle."""
        try:
            return await source.fetch(offset, wait)
        except Refused as refused:
            return _one_by_one(refused.raws, source.parse)

    last = await _recover(source, inbox, backlog)
    tasks = [asyncio.create_task(backlog.work(source.handle)) for _ in range(workers)]
    offset: int | None = None
    failures = 0
    more = False  # the last batch was full: Telegram likely holds more
    forgotten = time.monotonic()
    stopping = asyncio.create_task(stop.wait())
    try:
        while not stop.is_set():
            if time.monotonic() - forgotten >= FORGET_EVERY:
                await _forget(inbox, backlog)
                forgotten = time.monotonic()
            if backlog.size >= limit:
                await backlog.pause(False)
                await asyncio.wait({stopping}, timeout=0.05)
                continue
            # After a full batch, asking without waiting: when it was exactly the last one, a
            # long poll would hold the paused backlog for LONG_POLL seconds with nothing to fetch.
            fetch_task = asyncio.ensure_future(fetch(offset, 0 if more else LONG_POLL))
            await asyncio.wait({fetch_task, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if not fetch_task.done():
                fetch_task.cancel()
                break
            try:
                updates = fetch_task.result()
            except Exception as exc:
                if not source.retryable(exc):
                    raise
                await backlog.pause(False)
                more = False
                failures += 1
                delay = min(30.0, 0.5 * 2**failures)
                log.warning("getUpdates failed (%s), retrying in %.1fs", type(exc).__name__, delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            # While Telegram holds more, fetching them comes first: a person in danger among them
            # is only seen once fetched (bot/delivery/backlog.py).
            more = len(updates) >= FULL_BATCH
            await backlog.pause(more)
            if not updates:
                continue
            # Stored before: fetched again because the crash came before they were confirmed.
            new = [(raw, update) for raw, update in updates if _update_id(raw) > last]
            if new:
                rows = [(_update_id(raw), json.dumps(raw, ensure_ascii=False)) for raw, _ in new]
                try:
                    await asyncio.to_thread(inbox.store, rows, datetime.now(UTC))
                    if durable is not None:
                        await durable()
                except Exception:
                    # Not confirmed: Telegram gives the batch again on the next call.
                    log.exception("storing %d updates failed, fetching them again", len(rows))
                    await asyncio.sleep(1.0)
                    continue
                for raw, update in new:
                    if update is None:
                        # Unreadable and nothing for the core: stored, and forgotten like a
                        # handled one (logged by id and kind in parse_or_salvage).
                        backlog.handled.append(_update_id(raw))
                        continue
                    await backlog.add(_update_id(raw), update, source.key(update), urgent(raw))
                last = _update_id(new[-1][0])
            offset = _update_id(updates[-1][0]) + 1
    finally:
        stopping.cancel()
        await backlog.stop()
        await asyncio.gather(*tasks, return_exceptions=True)
        await _forget(inbox, backlog)


def _one_by_one(raws: Sequence[Any], parse: Callable[[Raw], U]) -> list[tuple[Raw, U | None]]:
    log.warning("a batch of %d updates the library could not read together: read one by one", len(raws))
    batch: list[tuple[Raw, U | None]] = []
    for position, raw in enumerate(raws):
        update_id = raw.get("update_id") if isinstance(raw, Mapping) else None
        if (
            not isinstance(update_id, int)
            or isinstance(update_id, bool)
            or not 0 <= update_id <= MAX_UPDATE_ID
        ):
            # No id to store it under or to confirm it by: nothing Telegram sends (by position
            # only, the entry may hold personal data).
            log.error("getUpdates entry %d has no usable update_id, skipped", position)
            continue
        update, _ = parse_or_salvage(raw, parse)
        batch.append((raw, update))
    return batch


async def _recover(source: Source[U], inbox: Inbox, backlog: Backlog[U]) -> int:
    """Queues the updates stored and not handled before a crash or a stop; the highest id."""
    stored = await asyncio.to_thread(inbox.ids)
    last = max(stored, default=0)
    rows, _ = await read_stored(inbox, stored)  # one that cannot be read is left stored
    unreadable = await queue_stored(rows, source.parse, source.key, backlog)
    if unreadable:
        await asyncio.to_thread(inbox.forget, unreadable)
    if last:
        log.info("%d stored updates to handle", backlog.size)
    return last


async def queue_stored(
    rows: Sequence[tuple[int, str]],
    parse: Callable[[Raw], U],
    key: Callable[[U], Hashable | None],
    backlog: Backlog[U],
) -> list[int]:
    """Queues stored updates (id, JSON) as the library reads them, or from their core fields
    when it cannot read one whole (bot/delivery/salvage.py); the ids of those with nothing to
    handle, logged by id and kind, for the caller to remove. Long polling's start and the
    webhook's handler (bot/delivery/stored.py) both read stored rows so."""
    nothing = []
    for update_id, payload in rows:
        try:
            raw = json.loads(payload)
        except ValueError:
            log.error("stored update=%s is no JSON, dropped", update_id)
            nothing.append(update_id)
            continue
        update, _ = parse_or_salvage(raw, parse)
        if update is None:
            nothing.append(update_id)
            continue
        await backlog.add(update_id, update, key(update), urgent(raw))
    return nothing


async def _forget(inbox: Inbox, backlog: Backlog[U]) -> None:
    handled = backlog.take_handled()
    if not handled:
        return
    try:
        await asyncio.to_thread(inbox.forget, handled)
    except Exception:
        # They stay stored: handled again after a restart, as no-ops.
        log.exception("removing %d handled updates failed", len(handled))


def _update_id(raw: Raw) -> int:
    return int(raw["update_id"])


async def handle_batch(handle: Callable[[U], Awaitable[None]], updates: Sequence[U]) -> None:
    """Handles ``updates`` at once, as the webhook does for concurrent requests (tests)."""
    # Tasks start in arrival order, which the per-person locks turn into per-person order.
    tasks = [asyncio.ensure_future(handle(u)) for u in updates]
    for result in await asyncio.gather(*tasks, return_exceptions=True):
        if isinstance(result, BaseException):
            log.error("update processing crashed: %s", type(result).__name__)
