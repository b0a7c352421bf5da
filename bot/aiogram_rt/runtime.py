"""The helpline on aiogram 3: the Bot on the configured API server, a Dispatcher with the one
handler, command menus, long polling or the aiohttp webhook server, and the outbox sender."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import BotCommand, Update
from sqlalchemy import Engine

from bot.aiogram_rt.handler import UpdateHandler
from bot.aiogram_rt.polling import UpdateProcessor, poll
from bot.aiogram_rt.translate import ordering_key
from bot.aiogram_rt.transport import AiogramTransport
from bot.aiogram_rt.webhook import start_webhook_server
from bot.config import Settings
from bot.delivery.durable import GroupCommit
from bot.delivery.election import elected
from bot.delivery.limiter import Budget
from bot.delivery.menus import command_menus
from bot.delivery.polling import ALLOWED_UPDATES
from bot.delivery.sender import OutboxSender
from bot.delivery.stored import Handling, elected_handler
from bot.delivery.webhook import webhook_path, webhook_url
from bot.service import Helpline
from storage.inbox import Inbox

log = logging.getLogger(__name__)
SEND_TIMEOUT = 15.0


def build_bot(settings: Settings) -> Bot:
    assert settings.telegram_bot_token
    session = AiohttpSession(
        api=TelegramAPIServer.from_base(settings.telegram_api_base_url),
        # aiogram waits 60 s for an answer by default: a stalled request would hold that chat's
        # queue for a minute (python-telegram-bot gives up after 5 s). getUpdates sets its own.
        timeout=SEND_TIMEOUT,
    )
    return Bot(settings.telegram_bot_token, session=session)


async def set_commands(bot: Bot) -> None:
    for code, menu in command_menus():
        commands = [BotCommand(command=name, description=text) for name, text in menu]
        await bot.set_my_commands(commands, language_code=code)


async def serve(
    settings: Settings,
    engine: Engine,
    helpline: Helpline,
    limiter: Budget,
    *,
    webhook: bool,
    stop: asyncio.Event,
) -> None:
    # aiogram logs every handled update at INFO; the helpline's own log says what matters.
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    async with build_bot(settings) as bot:  # closes the HTTP session
        me = await bot.get_me()  # fails early on a wrong token, as python-telegram-bot does
        sender = OutboxSender(AiogramTransport(bot), engine, limiter, name=settings.helpline_instance)
        dispatcher = Dispatcher()
        handler = UpdateHandler(helpline, sender, bot, me.id, receipted=webhook)
        dispatcher.message.register(handler.on_event)
        dispatcher.callback_query.register(handler.on_event)
        processor = UpdateProcessor(dispatcher, bot)
        await set_commands(bot)
        sending = asyncio.create_task(sender.run())
        log.info("bot started (aiogram, %s)", "webhook" if webhook else "polling")
        try:
            if webhook:
                await _webhook(bot, processor, settings, stop, sender.durable, engine)
            else:
                # aiogram, unlike python-telegram-bot's polling, does not remove a webhook
                # first, and Telegram refuses getUpdates while one is set.
                await bot.delete_webhook()
                inbox = Inbox(engine)
                # One poller among the processes sharing the database (bot/delivery/election.py).
                await elected(engine, stop, lambda until: poll(bot, processor, until, inbox, sender.durable))
        finally:
            sender.stop()
            await sending


async def _webhook(
    bot: Bot,
    processor: UpdateProcessor,
    settings: Settings,
    stop: asyncio.Event,
    durable: GroupCommit,
    engine: Engine,
) -> None:
    url = webhook_url(settings)
    stored = asyncio.Event()
    runner = await start_webhook_server(
        engine,
        listen=settings.telegram_webhook_listen,
        port=settings.telegram_webhook_port,
        path=webhook_path(url),
        secret=settings.telegram_webhook_secret,
        durable=durable,
        stored=stored,
    )

    def parse(raw: Mapping[str, Any]) -> Update:
        return Update.model_validate(raw, context={"bot": bot})

    handling = Handling(parse, processor.process, ordering_key)
    try:
        await bot.set_webhook(
            url, secret_token=settings.telegram_webhook_secret, allowed_updates=list(ALLOWED_UPDATES)
        )
        # Every process stores what Telegram posts to it; one handles it all (bot/delivery/stored.py).
        await elected_handler(engine, stop, handling, stored)
    finally:
        await runner.cleanup()
