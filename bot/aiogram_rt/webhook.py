"""Webhook mode on aiohttp (which aiogram depends on): a small HTTP server that Telegram, through
an HTTPS proxy, posts updates to. aiogram's own SimpleRequestHandler answers before handling by
default (``handle_in_background``), with nothing stored, and feeds the dispatcher without
per-person ordering; this one answers only after the update was stored, and one elected process
handles it, in order (bot/delivery/stored.py), with the checks of bot/delivery/webhook.py."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from sqlalchemy import Engine

from bot.delivery import probes
from bot.delivery.durable import GroupCommit
from bot.delivery.webhook import (
    HEALTH_PATH,
    MAX_BODY,
    SECRET_HEADER,
    declared_too_large,
    receipt_body,
    receive,
    secret_matches,
    update_object,
)
from storage.inbox import Inbox

log = logging.getLogger(__name__)


async def start_webhook_server(
    engine: Engine,
    *,
    listen: str,
    port: int,
    path: str,
    secret: str | None,
    durable: GroupCommit | None = None,
    stored: asyncio.Event | None = None,
) -> web.AppRunner:
    """``engine``: where updates are stored, and the database ``/readyz`` and ``/metrics`` look
    at (bot/delivery/probes.py); ``stored`` is set on each update stored."""
    inbox = Inbox(engine)

    async def on_update(request: web.Request) -> web.Response:
        # The headers first, before any of the body is read; a refused request's connection is
        # closed rather than the rest of its body read (aiohttp would linger reading it).
        if not secret_matches(request.headers.get(SECRET_HEADER), secret):
            log.warning("webhook request with a wrong secret token refused")
            return _refused(403)
        if declared_too_large(request.headers.get("Content-Length")):
            log.warning("webhook body over %d bytes refused", MAX_BODY)
            return _refused(413)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:  # a chunked body, without a Content-Length
            log.warning("webhook body over %d bytes refused", MAX_BODY)
            return _refused(413)
        data = update_object(body)
        if data is None:
            log.warning("webhook body that is no update refused")
            return web.Response(status=400)
        sync = durable.sync if durable is not None else None
        await receive(data, inbox, sync=sync, stored=stored)
        receipt = receipt_body(data)
        return web.json_response(receipt) if receipt is not None else web.Response(status=200)

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def ready(request: web.Request) -> web.Response:
        status, body = await asyncio.to_thread(probes.readiness, engine)
        return web.json_response(body, status=status)

    async def metrics(request: web.Request) -> web.Response:
        status, body, content_type = await asyncio.to_thread(probes.metrics, engine)
        return web.Response(status=status, body=body, headers={"Content-Type": content_type})

    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_post(path, on_update)
    app.router.add_post(f"{path}/", on_update)
    app.router.add_get(HEALTH_PATH, health)
    app.router.add_get(probes.LIVE_PATH, health)
    app.router.add_get(probes.READY_PATH, ready)
    app.router.add_get(probes.METRICS_PATH, metrics)
    # No access log: it would carry chat ids in query strings.
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    # reuse_port: several processes of one machine may listen on one port, the kernel spreading
    # connections between them (docker/entrypoint.sh).
    await web.TCPSite(runner, listen, port, reuse_port=True).start()
    return runner


def _refused(status: int) -> web.Response:
    response = web.Response(status=status)
    response.force_close()
    return response
