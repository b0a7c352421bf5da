"""Webhook mode on tornado (which python-telegram-bot's webhooks extra brings): a small HTTP
server that Telegram, through an HTTPS proxy, posts updates to. Unlike python-telegram-bot's
built-in webhook server, it answers only after the update was stored, and one elected process
handles it (bot/delivery/stored.py); the checks are those of bot/delivery/webhook.py."""

from __future__ import annotations

import asyncio
import logging
from http import HTTPStatus
from typing import Any

import tornado.httpserver
import tornado.netutil
import tornado.web
from sqlalchemy import Engine
from tornado.http1connection import HTTP1Connection
from tornado.iostream import StreamClosedError

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


@tornado.web.stream_request_body
class _UpdateHandler(tornado.web.RequestHandler):
    """The body is streamed in (``data_received``) so that ``prepare`` sees the headers first:
    a wrong secret gets 403 and a body over MAX_BODY 413 before any of it is read, and the
    connection is closed instead of reading the rest. Read whole first, as tornado does by
    default, a 10 MB body with a wrong secret was read before it was refused (as a 400)."""

    def initialize(
        self, secret: str | None, durable: GroupCommit | None, inbox: Inbox, stored: asyncio.Event | None
    ) -> None:
        self.secret, self.durable, self.inbox, self.stored = secret, durable, inbox, stored
        self._chunks: list[bytes] = []
        self._size = 0

    def prepare(self) -> None:
        if not secret_matches(self.request.headers.get(SECRET_HEADER), self.secret):
            log.warning("webhook request with a wrong secret token refused")
            self._refuse(HTTPStatus.FORBIDDEN)
        elif declared_too_large(self.request.headers.get("Content-Length")):
            log.warning("webhook body over %d bytes refused", MAX_BODY)
            self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)

    def _refuse(self, status: HTTPStatus) -> None:
        """Answers ``status`` and closes the connection once the answer is out, taking it from
        tornado, which would otherwise go on to read the body (and answer a body over its
        max_body_size with a second, 400, answer)."""
        self.send_error(status)
        connection = self.request.connection
        if isinstance(connection, HTTP1Connection):  # always, on tornado's HTTP/1.1 server
            stream = connection.detach()
            stream.write(b"").add_done_callback(lambda _: stream.close())

    def data_received(self, chunk: bytes) -> None:
        if self._finished:
            return  # refused: the rest is not kept
        self._size += len(chunk)
        if self._size > MAX_BODY:  # a chunked body, without a Content-Length
            log.warning("webhook body over %d bytes refused", MAX_BODY)
            self._chunks = []
            self.send_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)  # then tornado closes
            return
        self._chunks.append(chunk)

    async def post(self) -> None:
        data = update_object(b"".join(self._chunks))
        if data is None:
            log.warning("webhook body that is no update refused")
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST)
        sync = self.durable.sync if self.durable is not None else None
        await receive(data, self.inbox, sync=sync, stored=self.stored)
        self.set_status(HTTPStatus.OK)
        body = receipt_body(data)
        if body is not None:
            self.write(body)  # as JSON, with its content type

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if self._finished and typ is StreamClosedError:
            return  # a refused request's connection, closed after its answer (_refuse)
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
    engine: Engine,
    *,
    listen: str,
    port: int,
    path: str,
    secret: str | None,
    durable: GroupCommit | None = None,
    stored: asyncio.Event | None = None,
) -> tornado.httpserver.HTTPServer:
    """``engine``: where updates are stored, and the database ``/readyz`` and ``/metrics`` look
    at (bot/delivery/probes.py); ``stored`` is set on each update stored."""
    receiving = {"secret": secret, "durable": durable, "inbox": Inbox(engine), "stored": stored}
    routes: list[Any] = [
        (rf"{path}/?", _UpdateHandler, receiving),
        (HEALTH_PATH, _HealthHandler),
        (probes.LIVE_PATH, _HealthHandler),
        (probes.READY_PATH, _ReadyHandler, {"engine": engine}),
        (probes.METRICS_PATH, _MetricsHandler, {"engine": engine}),
    ]
    web = tornado.web.Application(
        routes,
        log_function=lambda handler: None,  # access logs would carry chat ids in query strings
    )
    # Above MAX_BODY: the handler refuses a body over it with 413 (tornado's own limit answers 400).
    server = tornado.httpserver.HTTPServer(web, max_body_size=2 * MAX_BODY)
    # reuse_port: several processes of one machine may listen on one port, the kernel spreading
    # connections between them (docker/entrypoint.sh).
    server.add_sockets(tornado.netutil.bind_sockets(port, listen, reuse_port=True))
    return server
