"""Webhook mode on tornado (which python-telegram-bot's webhooks extra brings): a small HTTP
server that Telegram, through an HTTPS proxy, posts updates to. Unlike python-telegram-bot's
built-in webhook server, it answers only after the update was handled; the checks are those of
bot/delivery/webhook.py."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import tornado.httpserver
import tornado.netutil
import tornado.web
from sqlalchemy import Engine
from telegram import Update

from bot.delivery import probes
from bot.delivery.durable import GroupCommit
from bot.delivery.webhook import (
    HEALTH_PATH,
    MAX_BODY,
    SECRET_HEADER,
    handle_update,
    secret_matches,
    update_object,
)
from bot.ptb.polling import AnyApp, process
from storage.inbox import Inbox

log = logging.getLogger(__name__)


class _UpdateHandler(tornado.web.RequestHandler):
    def initialize(
        self, app: AnyApp, secret: str | None, durable: GroupCommit | None, inbox: Inbox | None
    ) -> None:
        self.app, self.secret, self.durable, self.inbox = app, secret, durable, inbox

    def _parse(self, raw: Mapping[str, Any]) -> Update:
        update = Update.de_json(dict(raw), self.app.bot)
        assert update is not None  # de_json gives None only for an empty dict
        return update

    async def post(self) -> None:
        if not secret_matches(self.request.headers.get(SECRET_HEADER), self.secret):
            log.warning("webhook request with a wrong secret token refused")
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        data = update_object(self.request.body)
        if data is None:
            log.warning("webhook body that is no update refused")
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST)
        sync = self.durable.sync if self.durable is not None else None
        await handle_update(data, self._parse, self._process, inbox=self.inbox, sync=sync)
        self.set_status(HTTPStatus.OK)

    async def _process(self, update: Update) -> None:
        await process(self.app, update)

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        # Tornado would log the request, whose body may hold personal data.
        log.warning("webhook request failed: %s", typ.__name__ if typ else "?")


class _HealthHandler(tornado.web.RequestHandler):
    def get(self) -> None:
        self.write({"ok": True})


class _ReadyHandler(tornado.web.RequestHandler):
    def initialize(self, engine: Engine) -> None:
        self.engine = engine

    async def get(self) -> None:
        status, body = await asyncio.to_thread(probes.readiness, self.engine)
        self.set_status(status)
        self.write(body)


class _MetricsHandler(tornado.web.RequestHandler):
    def initialize(self, engine: Engine) -> None:
        self.engine = engine

    async def get(self) -> None:
        status, body, content_type = await asyncio.to_thread(probes.metrics, self.engine)
        self.set_status(status)
        self.set_header("Content-Type", content_type)
        self.write(body)


def start_webhook_server(
    app: AnyApp,
    *,
    listen: str,
    port: int,
    path: str,
    secret: str | None,
    durable: GroupCommit | None = None,
    engine: Engine | None = None,
) -> tornado.httpserver.HTTPServer:
    """``engine``: the database ``/readyz`` and ``/metrics`` look at (bot/delivery/probes.py),
    and where updates the library cannot read are kept."""
    inbox = Inbox(engine) if engine is not None else None
    routes: list[Any] = [
        (rf"{path}/?", _UpdateHandler, {"app": app, "secret": secret, "durable": durable, "inbox": inbox}),
        (HEALTH_PATH, _HealthHandler),
        (probes.LIVE_PATH, _HealthHandler),
    ]
    if engine is not None:
        routes += [
            (probes.READY_PATH, _ReadyHandler, {"engine": engine}),
            (probes.METRICS_PATH, _MetricsHandler, {"engine": engine}),
        ]
    web = tornado.web.Application(
        routes,
        log_function=lambda handler: None,  # access logs would carry chat ids in query strings
    )
    server = tornado.httpserver.HTTPServer(web, max_body_size=MAX_BODY)
    # reuse_port: several processes of one machine may listen on one port, the kernel spreading
    # connections between them (docker/entrypoint.sh).
    server.add_sockets(tornado.netutil.bind_sockets(port, listen, reuse_port=True))
    return server
