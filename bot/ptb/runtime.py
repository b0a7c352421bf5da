"""The helpline on python-telegram-bot: the application (without its Updater), command menus,
long polling or the tornado webhook server, and the outbox sender beside them."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine
from telegram import BotCommand, Update
from telegram.ext import ApplicationBuilder, TypeHandler

from bot.config import Settings
from bot.delivery.durable import GroupCommit
from bot.delivery.election import elected
from bot.delivery.limiter import Budget
from bot.delivery.menus import command_menus
from bot.delivery.polling import ALLOWED_UPDATES
from bot.delivery.sender import OutboxSender
from bot.delivery.stored import Handling, elected_handler
from bot.delivery.webhook import webhook_path, webhook_url
from bot.ptb.handler import UpdateHandler, log_error
from bot.ptb.ordering import PerUserUpdateProcessor
from bot.ptb.polling import AnyApp, poll, process
from bot.ptb.request import AiohttpRequest, GetUpdatesRequest
from bot.ptb.translate import ordering_key
from bot.ptb.transport import PtbTransport
from bot.ptb.webhook import start_webhook_server
from bot.service import Helpline
from storage.inbox import Inbox

log = logging.getLogger(__name__)
CONNECTIONS = 64  # to the Bot API at once: the sender's parallel chats plus button answers


def build_application(settings: Settings, updates: GetUpdatesRequest | None = None) -> AnyApp:
    """``updates``: the request for getUpdates, which long polling reads the raw answers of."""
    assert settings.telegram_bot_token
    base = settings.telegram_api_base_url.rstrip("/")
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .concurrent_updates(PerUserUpdateProcessor())
        # aiohttp rather than httpx (bot/ptb/request.py). The sender and the handlers share one
        # pool of connections; getUpdates, held open for seconds, has its own.
        .request(AiohttpRequest(CONNECTIONS))
        .get_updates_request(updates or GetUpdatesRequest())
    )
    # No Updater: polling.poll confirms updates only once they are stored, webhook.py once they
    # are handled.
    return builder.updater(None).build()


async def set_commands(app: AnyApp) -> None:
    for code, menu in command_menus():
        await app.bot.set_my_commands([BotCommand(*item) for item in menu], language_code=code)


async def serve(
    settings: Settings,
    engine: Engine,
    helpline: Helpline,
    limiter: Budget,
    *,
    webhook: bool,
    stop: asyncio.Event,
) -> None:
    # httpx logs every request URL at INFO, and the URL holds the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Opt in to python-telegram-bot's future timedelta periods instead of deprecation warnings.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    updates = GetUpdatesRequest()
    app = build_application(settings, updates)
    async with app:  # initialize (getMe) ... shutdown
        sender = OutboxSender(PtbTransport(app.bot), engine, limiter, name=settings.helpline_instance)
        app.add_handler(TypeHandler(Update, UpdateHandler(helpline, sender, app.bot.id, receipted=webhook)))
        app.add_error_handler(log_error)
        await set_commands(app)
        await app.start()
        sending = asyncio.create_task(sender.run())
        log.info("bot started (python-telegram-bot, %s)", "webhook" if webhook else "polling")
        try:
            if webhook:
                await _webhook(app, settings, stop, sender.durable, engine)
            else:
                await app.bot.delete_webhook()
                inbox = Inbox(engine)
                # One poller among the processes sharing the database (bot/delivery/election.py).
                await elected(engine, stop, lambda until: poll(app, until, inbox, updates, sender.durable))
        finally:
            sender.stop()
            await sending
            await app.stop()


async def _webhook(
    app: AnyApp, settings: Settings, stop: asyncio.Event, durable: GroupCommit, engine: Engine
) -> None:
    url = webhook_url(settings)
    stored = asyncio.Event()
    server = start_webhook_server(
        engine,
        listen=settings.telegram_webhook_listen,
        port=settings.telegram_webhook_port,
        path=webhook_path(url),
        secret=settings.telegram_webhook_secret,
        durable=durable,
        stored=stored,
    )

    def parse(raw: Mapping[str, Any]) -> Update:
        update = Update.de_json(dict(raw), app.bot)
        assert update is not None  # de_json gives None only for an empty dict
        return update

    async def handle(update: Update) -> None:
        await process(app, update)

    handling = Handling(parse, handle, ordering_key)
    try:
        await app.bot.set_webhook(
            url, secret_token=settings.telegram_webhook_secret, allowed_updates=ALLOWED_UPDATES
        )
        # Every process stores what Telegram posts to it; one handles it all (bot/delivery/stored.py).
        await elected_handler(engine, stop, handling, stored)
    finally:
        server.stop()
        await server.close_all_connections()
