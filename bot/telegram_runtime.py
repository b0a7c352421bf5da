"""Runs the helpline on Telegram: database migration, the core, the shared rate limiter, the care
scheduler and the stop signals, then the adapter of the library chosen by
``HELPLINE_TELEGRAM_LIBRARY``."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Protocol

from sqlalchemy import Engine

from bot.config import Settings
from bot.delivery.limiter import Budget, Limits, RateLimiter
from bot.delivery.shared_limiter import SharedLimiter
from bot.scheduler import start_scheduler
from bot.service import Helpline
from storage.db import make_engine, migrate

log = logging.getLogger(__name__)


class Serve(Protocol):
    """What each adapter's ``runtime.serve`` is: run until ``stop`` is set."""

    async def __call__(
        self,
        settings: Settings,
        engine: Engine,
        helpline: Helpline,
        limiter: Budget,
        *,
        webhook: bool,
        stop: asyncio.Event,
    ) -> None: ...


def run_bot(settings: Settings, *, webhook: bool = False) -> None:
    """Blocks until SIGINT or SIGTERM."""
    # Commits are synced in groups, before anything committed is sent or confirmed
    # (bot/delivery/durable.py).
    engine = make_engine(settings.database_url, group_commit=True)
    if settings.helpline_migrate_on_start:
        migrate(engine)
    asyncio.run(_main(settings, engine, webhook))


def adapter(library: str) -> Serve:
    """Imported on demand: running one library never imports the other."""
    if library == "aiogram":
        from bot.aiogram_rt import runtime as aiogram_runtime

        return aiogram_runtime.serve
    from bot.ptb import runtime as ptb_runtime

    return ptb_runtime.serve


def rate_budget(settings: Settings) -> Budget:
    """Telegram's limits: shared by every process through Redis when ``REDIS_URL`` is set, this
    process's own otherwise (bot/delivery/sender.py then elects one sender on PostgreSQL)."""
    limits = Limits(
        overall=(settings.telegram_overall_rate, 1.0),
        private_per_second=settings.telegram_private_chat_rate,
    )
    if settings.redis_url:
        return SharedLimiter.from_url(settings.redis_url, limits, settings.helpline_redis_prefix)
    return RateLimiter(limits)


async def _main(settings: Settings, engine: Engine, webhook: bool) -> None:
    helpline = Helpline(engine, settings)
    limiter = rate_budget(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    serve = adapter(settings.helpline_telegram_library)
    # APScheduler logs two INFO lines per tick ("Running job", "executed successfully"); its
    # warnings (a tick skipped) and errors (a tick that raised) still show.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # The care scheduler ticks in its own thread, whichever library runs: what a tick queues in
    # the outbox is sent by the adapter's outbox sender (it polls the outbox every 0.5 s).
    scheduler = start_scheduler(helpline, settings)
    log.info("care scheduler started (every %s)", settings.helpline_scheduler_tick)
    try:
        await serve(settings, engine, helpline, limiter, webhook=webhook, stop=stop)
    finally:
        # Lets a running tick finish (each item is its own transaction, so even a kill loses
        # nothing; what it queues now is sent after the next start); off the event loop.
        await asyncio.to_thread(scheduler.shutdown, wait=True)
        log.info("care scheduler stopped")
    log.info("bot stopped")
