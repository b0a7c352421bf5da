"""Each library's webhook server looks at the headers before the body (bot/ptb/webhook.py on
tornado, bot/aiogram_rt/webhook.py on aiohttp): a wrong secret gets 403 and a body declared over
MAX_BODY 413 while the client has sent nothing but the headers, and the connection is closed
rather than the rest read; a chunked body over the limit gets 413; no stack trace either way.
The servers run in this process; the client is a raw socket, so that it can hold the body back."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.aiogram_rt.webhook import start_webhook_server as start_aiohttp
from bot.delivery.webhook import MAX_BODY, SECRET_HEADER
from bot.ptb.webhook import start_webhook_server as start_tornado
from storage.db import make_engine, migrate
from tests.support.ports import free_port

SECRET = "s3cret-Token_for-tests"
PATH = "/hook/telegram"
TEN_MB = 10 * 1024 * 1024
WAIT = 30  # seconds at most for an answer that comes at once (a bound, not a measure)


async def tornado_server(port: int, engine: Engine) -> Callable[[], Awaitable[None]]:
    server = start_tornado(engine, listen="127.0.0.1", port=port, path=PATH, secret=SECRET)

    async def stop() -> None:
        server.stop()
        await server.close_all_connections()

    return stop


async def aiohttp_server(port: int, engine: Engine) -> Callable[[], Awaitable[None]]:
    runner = await start_aiohttp(engine, listen="127.0.0.1", port=port, path=PATH, secret=SECRET)
    return runner.cleanup


@pytest.fixture(params=[tornado_server, aiohttp_server], ids=["python-telegram-bot", "aiogram"])
async def port(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[int]:
    port = free_port()
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    migrate(engine)  # where an update would be stored: none is, here
    stop = await request.param(port, engine)
    yield port
    await stop()


async def ask(port: int, headers: dict[str, str], body: bytes = b"") -> tuple[int, bool]:
    """Posts the headers (and ``body`` as it is given, perhaps none of a declared length); the
    answer's status, and whether the server then closed the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        head = f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        writer.write(head.encode() + b"\r\n" + body)
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), WAIT)
        status = int(status_line.split()[1])
        try:
            # The rest of the answer, then the end of the connection (or the client's body awaited).
            await asyncio.wait_for(reader.read(), WAIT)
            closed = True
        except TimeoutError:
            closed = False
        except ConnectionResetError:  # closed with the client's body unread
            closed = True
        return status, closed
    finally:
        writer.close()


def chunked(size: int, piece: int = 64 * 1024) -> bytes:
    chunks = [f"{piece:x}\r\n".encode() + b"x" * piece + b"\r\n" for _ in range(size // piece)]
    return b"".join(chunks) + b"0\r\n\r\n"


async def test_a_wrong_secret_is_refused_before_the_body_is_read(
    port: int, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        # Only the headers of a 10 MB body: the answer comes without waiting for it.
        assert await ask(port, {SECRET_HEADER: "nope", "Content-Length": str(TEN_MB)}) == (403, True)
        assert await ask(port, {"Content-Length": str(TEN_MB)}) == (403, True)
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_body_over_the_limit_with_the_right_secret_gets_413(
    port: int, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        declared = {SECRET_HEADER: SECRET, "Content-Length": str(TEN_MB)}
        assert await ask(port, declared) == (413, True)
        assert await ask(port, {SECRET_HEADER: SECRET, "Content-Length": str(MAX_BODY + 1)}) == (413, True)
        streamed = {SECRET_HEADER: SECRET, "Transfer-Encoding": "chunked"}
        status, _ = await ask(port, streamed, chunked(2 * MAX_BODY))
        assert status == 413
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_body_within_the_limit_is_still_read(port: int) -> None:
    # Read whole, streamed or not, and found to be no update: 400 (bot/delivery/webhook.py).
    right = {SECRET_HEADER: SECRET, "Connection": "close"}
    assert await ask(port, {**right, "Content-Length": "4"}, b"null") == (400, True)
    status, _ = await ask(port, {**right, "Transfer-Encoding": "chunked"}, b"2\r\n[]\r\n0\r\n\r\n")
    assert status == 400
