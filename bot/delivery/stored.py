"""Webhook mode: every process stores the updates Telegram posts to it and answers; one elected
process handles them all, a person in danger first.

Answering only after handling, as the webhook did before, put the queue where the bot cannot
see it: at Telegram, which holds at most ``max_connections`` requests open and keeps the rest
first come, first served. In the three-process crisis burst a person writing "disekap" waited
there behind hundreds of ordinary updates (card p99 11.55 s, of which up to 8.4 s before the
request even reached a process; the process itself answered danger in 0.2–1.1 s). Now an update
is answered as soon as it is stored (and on disk: bot/delivery/durable.py), so Telegram's queue
stays empty and the whole burst waits here, where the backlog (bot/delivery/backlog.py) serves
danger first and each person's updates in their order, as long polling's does.

Why one handler and not every process handling what it received: once answered, a person's next
update may go to another process before the first is handled, and order would then need a
per-person claim in the database for every update. One elected handler (a PostgreSQL advisory
lock, bot/delivery/election.py, as for the poller) keeps order by construction; when it dies,
another process takes over within seconds and handles what was stored. The core handles 290–400
updates/s on PostgreSQL (README, The core on PostgreSQL), ten times what Telegram lets the bot
send (30 messages/s), so the handler is not what a crisis waits for; the other processes still
receive, send the outbox and run the care scheduler.

The handler looks for new rows every ``INTERVAL`` seconds, and at once when its own process
stored one. A person's updates are committed in their order (Telegram sends the next only after
the answer), so whenever one is seen, the ones before it were seen too."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Engine

from bot.delivery.backlog import Backlog
from bot.delivery.election import elected
from bot.delivery.polling import BACKLOG_LIMIT, WORKERS, queue_stored
from bot.delivery.salvage import read_stored
from storage.inbox import Inbox

log = logging.getLogger(__name__)
U = TypeVar("U")
Raw = Mapping[str, Any]
INTERVAL = 0.05  # seconds between looks for updates other processes stored
# At least this long between two looks: in a burst this process's webhook stores an update every
# few milliseconds and each sets ``stored``; without a floor every one was a look (all stored ids
# read, up to 5,000) and the loop did little else.
FLOOR = 0.01
HANDLER_LOCK = 0x504D4948  # "PMIH"; the poller's is POLLER_LOCK (bot/delivery/election.py)


@dataclass(frozen=True)
class Handling(Generic[U]):
    """What an adapter gives the handler, in its library's terms."""

    parse: Callable[[Raw], U]
    handle: Callable[[U], Awaitable[None]]
    key: Callable[[U], Hashable | None]  # updates with the same key are handled in order


async def handle_stored(
    source: Handling[U],
    inbox: Inbox,
    stop: asyncio.Event,
    *,
    stored: asyncio.Event | None = None,
    workers: int = WORKERS,
    limit: int = BACKLOG_LIMIT,
    interval: float = INTERVAL,
    floor: float = FLOOR,
) -> None:
    """Handles stored updates until ``stop``; then the updates in hand are finished and the rest
    stay stored, for the next handler. ``stored`` is set by this process's webhook on each
    update it stored."""
    backlog: Backlog[U] = Backlog()
    known: set[int] = set()  # ids in the backlog, or handled and not yet removed
    wake = stored or asyncio.Event()
    tasks = [asyncio.create_task(backlog.work(source.handle)) for _ in range(workers)]
    stopping = asyncio.create_task(stop.wait())
    loop = asyncio.get_running_loop()
    try:
        while not stop.is_set():
            began = loop.time()
            wake.clear()
            try:
                await _forget(inbox, backlog, known)
                if backlog.size < limit:
                    await _take_new(source, inbox, backlog, known, limit - backlog.size)
            except Exception:
                # The database is away for a moment: the rows wait, and so does this loop.
                log.exception("reading the stored updates failed, trying again")
                await asyncio.wait({stopping}, timeout=1.0)
                continue
            waking = asyncio.create_task(wake.wait())
            await asyncio.wait({waking, stopping}, timeout=interval, return_when=asyncio.FIRST_COMPLETED)
            waking.cancel()
            rest = floor - (loop.time() - began)
            if rest > 0 and not stop.is_set():
                await asyncio.wait({stopping}, timeout=rest)
    finally:
        stopping.cancel()
        await backlog.stop()
        await asyncio.gather(*tasks, return_exceptions=True)
        try:
            await _forget(inbox, backlog, known)
        except Exception:
            log.exception("removing handled updates failed; they are handled again, as no-ops")


async def elected_handler(
    engine: Engine, stop: asyncio.Event, source: Handling[U], stored: asyncio.Event
) -> None:
    """Runs ``handle_stored`` in whichever process holds the handler's lock, until ``stop``: what
    each runtime's webhook mode does beside its server."""
    inbox = Inbox(engine)
    await elected(
        engine,
        stop,
        lambda until: handle_stored(source, inbox, until, stored=stored),
        lock=HANDLER_LOCK,
        role="handles the stored updates",
    )


async def _take_new(
    source: Handling[U], inbox: Inbox, backlog: Backlog[U], known: set[int], room: int
) -> None:
    new = [uid for uid in await asyncio.to_thread(inbox.ids) if uid not in known][:room]
    if not new:
        return
    rows, unreadable = await read_stored(inbox, new)
    known.update(unreadable)  # set aside, left stored
    known.update(update_id for update_id, _ in rows)
    nothing = await queue_stored(rows, source.parse, source.key, backlog)
    backlog.handled.extend(nothing)  # removed on the next round, as handled ones


async def _forget(inbox: Inbox, backlog: Backlog[U], known: set[int]) -> None:
    handled = backlog.take_handled()
    if not handled:
        return
    try:
        await asyncio.to_thread(inbox.forget, handled)
    except Exception:
        backlog.handled.extend(handled)  # removed on the next round; still known meanwhile
        raise
    known.difference_update(handled)
