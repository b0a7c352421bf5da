"""Webhook mode on aiohttp (which aiogram depends on): a small HTTP server that Telegram, through
an HTTPS proxy, posts updates to. aiogram's own SimpleRequestHandler answers before handling by
default (``handle_in_background``) and feeds the dispatcher without per-person ordering; this one
answers only after the update was handled, in order, with the checks of bot/delivery/webhook.py."""

from __future__ import annotations

import json
import logging

from aiogram import Bot
from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from bot.aiogram_rt.polling import UpdateProcessor
from bot.delivery.durable import GroupCommit
from bot.delivery.webhook import HEALTH_PATH, MAX_BODY, SECRET_HEADER, secret_matches

log = logging.getLogger(__name__)


async def start_webhook_server(
    bot: Bot,
    processor: UpdateProcessor,
    *,
    listen: str,
    port: int,
    path: str,
    secret: str | None,
    durable: GroupCommit | None = None,
) -> web.AppRunner:
    async def on_update(request: web.Request) -> web.Response:
        if not secret_matches(request.headers.get(SECRET_HEADER), secret):
            log.warning("webhook request with a wrong secret token refused")
            return web.Response(status=403)
        try:
            update = Update.model_validate(json.loads(await request.read()), context={"bot": bot})
        except (ValueError, ValidationError):
            return web.Response(status=400)
        await processor.process(update)
        if durable is not None:
            await durable.sync()  # the answer confirms the update to Telegram
        return web.Response(status=200)

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_post(path, on_update)
    app.router.add_post(f"{path}/", on_update)
    app.router.add_get(HEALTH_PATH, health)
    # No access log: it would carry chat ids in query strings.
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, listen, port).start()
    return runner
