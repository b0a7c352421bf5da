"""Runs the helpline on Telegram: database migration, the core, the shared rate limiter and the
stop signals, then the adapter of the library chosen by ``HELPLINE_TELEGRAM_LIBRARY``."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Protocol

from sqlalchemy import Engine

from bot.config import Settings
from bot.delivery.limiter import Limits, RateLimiter
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
        limiter: RateLimiter,
        *,
        webhook: bool,
        stop: asyncio.Event,
    ) -> None: ...


def run_bot(settings: Settings, *, webhook: bool = False) -> None:
    """Blocks until SIGINT or SIGTERM."""
    engine = make_engine(settings.database_url)
    migrate(engine)
    asyncio.run(_main(settings, engine, webhook))


def adapter(library: str) -> Serve:
    """Imported on demand: running one library never imports the other."""
    if library == "aiogram":
        from bot.aiogram_rt import runtime as aiogram_runtime

        return aiogram_runtime.serve
    from bot.ptb import runtime as ptb_runtime

    return ptb_runtime.serve


async def _main(settings: Settings, engine: Engine, webhook: bool) -> None:
    helpline = Helpline(engine, settings)
    limiter = RateLimiter(Limits(private_per_second=settings.telegram_private_chat_rate))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    serve = adapter(settings.helpline_telegram_library)
    await serve(settings, engine, helpline, limiter, webhook=webhook, stop=stop)
    log.info("bot stopped")
