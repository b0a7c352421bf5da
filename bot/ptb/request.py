"""python-telegram-bot's HTTP requests made with aiohttp instead of its default httpx client.

httpx's connection pool (httpcore 1.0) looks at every connection for every queued request, and
asks each connection whether it has expired through anyio's socket attributes, which are rebuilt
on every call: at 64 connections the client alone took 2-6 ms of CPU per Bot API call, and the
bot could not make more than 100-250 calls a second whatever the network (README, Performance).
aiohttp's pool hands a free connection over in constant time; the same calls cost about a tenth.

Only the transport changes: python-telegram-bot still builds the requests, parses the answers
and raises its own errors (``TimedOut``, ``NetworkError``), exactly as with httpx."""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import urlsplit

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """A ``BaseRequest`` on one ``aiohttp.ClientSession``. Timeouts are python-telegram-bot's
    defaults (5 s to connect, write and read; ``pool_timeout`` to wait for a free connection),
    and a call may override them as with ``HTTPXRequest``. A proxy comes from the environment
    (``HTTPS_PROXY``, ``NO_PROXY``), as httpx reads it; it is looked up once per host, not on
    every request as aiohttp's ``trust_env`` would (with a read of ``~/.netrc`` each time)."""

    def __init__(
        self,
        connections: int = 64,
        *,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 10.0,
    ) -> None:
        self._connections = connections
        self._read, self._write = read_timeout, write_timeout
        self._connect, self._pool = connect_timeout, pool_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}
        self._headers = {"User-Agent": self.USER_AGENT}
        self._json_headers = {**self._headers, "Content-Type": "application/json"}

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=self._connections))

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = _given(read_timeout, self._read)
        connect = _given(connect_timeout, self._connect)
        pool = _given(pool_timeout, self._pool)
        # aiohttp has no write timeout of its own: the larger of the two bounds the wait for
        # the answer (the bot sends small requests only).
        write = _given(write_timeout, self._write)
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=None if read is None else max(read, write or 0.0),
        )
        data: aiohttp.FormData | bytes | None = None
        headers = self._headers
        if request_data is not None:
            files = request_data.multipart_data
            if files:
                form = aiohttp.FormData()
                for name, value in request_data.json_parameters.items():
                    form.add_field(name, value)
                for name, (filename, content, mime) in files.items():
                    form.add_field(name, content, filename=filename, content_type=mime)
                data = form
            else:
                # A JSON body, which the Bot API takes as well as a form: aiohttp's form encoding
                # (urlencode, quote_plus in pure Python) was 3% of the bot's CPU.
                body = json.dumps(request_data.parameters, ensure_ascii=False)
                data, headers = body.encode(), self._json_headers
        try:
            async with self._session.request(
                method,
                url,
                data=data,
                headers=headers,
                timeout=timeout,
                proxy=self._proxy(url),
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            # Only the exception's class: its text may carry the URL, and the URL the bot token.
            raise NetworkError(f"aiohttp.{type(exc).__name__}") from exc

    def _proxy(self, url: str) -> str | None:
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            proxy = urllib.request.getproxies().get(parts.scheme)
            bypass = proxy is not None and urllib.request.proxy_bypass(key[1])
            self._proxies[key] = None if bypass else proxy
        return self._proxies[key]


class GetUpdatesRequest(AiohttpRequest):
    """The request for getUpdates: one connection, and the last answer's body kept, so that long
    polling can store each update as Telegram sent it (python-telegram-bot gives only the parsed
    objects, and turning those back into JSON cost more than reading the body again)."""

    def __init__(self) -> None:
        super().__init__(1)
        self.last_body = b""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        status, body = await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        self.last_body = body
        return status, body


def _given(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value
