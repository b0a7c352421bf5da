"""The floor: a bare echo bot on the same library as the helpline (python-telegram-bot), with the
concurrency a fair echo bot would use: PTB's own long polling, up to 64 updates at once, one
person's updates in order (a per-chat lock, FIFO), and the helpline's HTTP client (aiohttp, as
many connections). ``BENCH_ECHO_HTTPX=1`` gives it PTB's default httpx client with 64 connections
instead, as before.

Run: TELEGRAM_BOT_TOKEN=... TELEGRAM_API_BASE_URL=http://127.0.0.1:PORT python -m bench.echo_bot"""

from __future__ import annotations

import asyncio
import os
from collections import defaultdict

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.ptb.request import AiohttpRequest
from bot.ptb.runtime import CONNECTIONS

_locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    async with _locks[message.chat_id]:
        await context.bot.send_message(message.chat_id, message.text)


def main() -> None:
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    base = os.environ["TELEGRAM_API_BASE_URL"].rstrip("/")
    builder = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .concurrent_updates(64)
    )
    if os.environ.get("BENCH_ECHO_HTTPX"):
        builder = builder.connection_pool_size(64).pool_timeout(10)
    else:
        builder = builder.request(AiohttpRequest(CONNECTIONS)).get_updates_request(AiohttpRequest(1))
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(timeout=10, allowed_updates=["message"], drop_pending_updates=False)


if __name__ == "__main__":
    main()
