"""Webhook mode on tornado (which python-telegram-bot's webhooks extra brings): a small HTTP
server that Telegram, through an HTTPS proxy, posts updates to. Unlike python-telegram-bot's
built-in webhook server, it answers only after the update was handled; the checks are those of
bot/delivery/webhook.py."""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

import tornado.httpserver
import tornado.web
from telegram import Update

from bot.delivery.durable import GroupCommit
from bot.delivery.webhook import HEALTH_PATH, MAX_BODY, SECRET_HEADER, secret_matches
from bot.ptb.polling import AnyApp, process

log = logging.getLogger(__name__)


class _UpdateHandler(tornado.web.RequestHandler):
    def initialize(self, app: AnyApp, secret: str | None, durable: GroupCommit | None) -> None:
        self.app, self.secret, self.durable = app, secret, durable

    async def post(self) -> None:
        if not secret_matches(self.request.headers.get(SECRET_HEADER), self.secret):
            log.warning("webhook request with a wrong secret token refused")
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        try:
            data = json.loads(self.request.body)
            update = Update.de_json(data, self.app.bot)
        except (ValueError, TypeError, KeyError) as exc:
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from exc
        if update is not None:
            await process(self.app, update)
        if self.durable is not None:
            await self.durable.sync()  # the answer confirms the update to Telegram
        self.set_status(HTTPStatus.OK)

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        # Tornado would log the request, whose body may hold personal data.
        log.warning("webhook request failed: %s", typ.__name__ if typ else "?")


class _HealthHandler(tornado.web.RequestHandler):
    def get(self) -> None:
        self.write({"ok": True})


def start_webhook_server(
    app: AnyApp,
    *,
    listen: str,
    port: int,
    path: str,
    secret: str | None,
    durable: GroupCommit | None = None,
) -> tornado.httpserver.HTTPServer:
    web = tornado.web.Application(
        [
            (rf"{path}/?", _UpdateHandler, {"app": app, "secret": secret, "durable": durable}),
            (HEALTH_PATH, _HealthHandler),
        ],
        log_function=lambda handler: None,  # access logs would carry chat ids in query strings
    )
    server = tornado.httpserver.HTTPServer(web, max_body_size=MAX_BODY)
    server.listen(port, listen)
    return server
