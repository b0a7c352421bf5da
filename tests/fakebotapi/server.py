"""A fake Telegram Bot API server for end-to-end tests, built on aiohttp.web.

The real bot process is pointed at :attr:`FakeBotApi.base_url` (``TELEGRAM_API_BASE_URL``)
and talks HTTP to it exactly as to ``api.telegram.org``: ``/bot{token}/{method}`` with
JSON, url-encoded, multipart or query-string parameters, and ``/file/bot{token}/{path}`` for
downloads. Requests are validated against the bundled Bot API 10.1 specification
(:mod:`.spec`); the methods a helpline bot uses have real in-memory behaviour
(:mod:`.engine`); every other method of the spec is validated and answered with ``true``.

Tests drive the fake through :class:`FakeBotApi`: simulate users (``push_text``,
``push_callback``, ...), inspect what the bot did (``sent``, ``messages``, ``wait_for``) and
inject faults (``fail_next``, ``stall_next``, ``latency``, ``rate_limits``). The server runs
either in a background thread with its own event loop (``with FakeBotApi() as api``, for
synchronous tests and for bots running in a subprocess) or on the caller's loop
(``async with FakeBotApi() as api``). It only ever binds to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from types import TracebackType
from typing import Any, Self, TypeVar

from aiohttp import BodyPartReader, hdrs, web

from .engine import TINY_PNG, BotEngine
from .ratelimit import RateLimitConfig, RateLimiter
from .spec import ApiError, ObjectSpec, UploadedFile, bad_request, load_spec

__all__ = ["DEFAULT_TOKEN", "Call", "FakeBotApi"]

DEFAULT_TOKEN = "123456789:FAKE-test-token"
HOST = "127.0.0.1"
T = TypeVar("T")
JSON = dict[str, Any]

CONFLICT_OTHER_POLLER = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
# Bot API uploads go up to 50 MB; aiohttp's default request limit is 1 MB.
MAX_REQUEST_BYTES = 60 * 1024 * 1024
# Methods that create messages, i.e. what Telegram's flood limits count.
RATE_LIMITED = frozenset({"copymessage", "copymessages", "forwardmessage", "forwardmessages"})
# Test-side actions reachable over HTTP under /_fake/ (used by the standalone CLI).
CONTROL_ACTIONS = frozenset(
    {
        "add_private_chat",
        "add_group",
        "push_text",
        "push_text_in_group",
        "push_callback",
        "push_button",
        "push_location",
        "push_contact",
        "redeliver",
        "block_user",
        "unblock_user",
        "fail_next",
        "stall_next",
        "latency",
        "rate_limits",
        "age_messages",
    }
)


@dataclass(frozen=True)
class Call:
    """One request the bot made, as recorded by the fake server."""

    method: str  # spelled as in the spec ("sendMessage"), or as requested if unknown
    params: JSON  # normalised when valid, as received otherwise; files are UploadedFile
    time: float  # time.time() when the request arrived
    monotonic: float  # time.monotonic() when the request arrived, for throughput maths
    status: int
    response: JSON
    duration: float  # seconds until the answer was ready, including injected delays

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))

    @property
    def result(self) -> Any:
        return self.response.get("result")

    @property
    def description(self) -> str | None:
        description = self.response.get("description")
        return None if description is None else str(description)


@dataclass
class _Fault:
    method: str  # lower-case method name or "*"
    times: int
    status: int = 500
    retry_after: int | None = None
    description: str | None = None
    stall: float | None = None  # seconds to hold the request (a client-side timeout)
    process: bool = False  # after a stall: carry the request out anyway (lost answer)
    contains: str | None = None  # only a call whose text (or caption) holds this
    then: Callable[[], None] | None = None  # carry the call out, run this, then answer


@dataclass
class _Faults:
    queue: list[_Fault] = field(default_factory=list)
    latency: float = 0.0
    limiter: RateLimiter | None = None

    def take(self, method: str, params: JSON) -> _Fault | None:
        for fault in self.queue:
            if fault.method in {"*", method.lower()} and _holds(params, fault.contains):
                fault.times -= 1
                if fault.times <= 0:
                    self.queue.remove(fault)
                return fault
        return None


def _holds(params: JSON, contains: str | None) -> bool:
    if contains is None:
        return True
    return contains in str(params.get("text", params.get("caption", "")))


def _json_default(value: Any) -> Any:
    if isinstance(value, UploadedFile):
        return {"filename": value.filename, "content_type": value.content_type, "size": len(value.data)}
    if isinstance(value, Call):
        return {
            "method": value.method,
            "params": value.params,
            "time": value.time,
            "status": value.status,
            "response": value.response,
        }
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


_dumps = functools.partial(json.dumps, default=_json_default, ensure_ascii=False)


def _error_response(error: ApiError) -> web.Response:
    return web.json_response(error.payload(), status=error.status, dumps=_dumps)


async def _read_params(request: web.Request) -> tuple[JSON, dict[str, UploadedFile]]:
    """Collect parameters from the query string and a JSON, form or multipart body."""
    params: JSON = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if not request.body_exists:
        return params, files
    content_type = request.content_type
    if content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON encoded request") from None
        if not isinstance(body, dict):
            raise bad_request("JSON encoded request must be an object")
        params.update(body)
    elif content_type == "application/x-www-form-urlencoded":
        form = await request.post()
        params.update({key: value for key, value in form.items() if isinstance(value, str)})
    elif content_type.startswith("multipart/"):
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue  # nested multiparts and anonymous parts carry no parameters
            if part.filename is None:
                params[part.name] = await part.text()
            else:
                data = await part.read(decode=True)
                part_type = part.headers.get(hdrs.CONTENT_TYPE, "application/octet-stream")
                files[part.name] = UploadedFile(part.filename, part_type, bytes(data))
    return params, files


class FakeBotApi:
    """A fake Telegram Bot API server plus the test-side controls to drive it.

    All public methods are thread-safe. Use it as ``with FakeBotApi() as api:`` (server in a
    background thread, works from synchronous and async tests) or ``async with`` /
    :meth:`astart` (server on the running loop; then use the ``*_async`` waiters).
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "pmi_helpline_test_bot",
        bot_name: str = "PMI Helpline Test",
        port: int = 0,
    ) -> None:
        self.token = token
        self._engine = BotEngine(token, first_name=bot_name, username=bot_username)
        self._spec = load_spec()
        self._port = port
        self._bound_port: int | None = None
        self._cond = threading.Condition()  # guards calls/faults; notified on any change
        self._calls: list[Call] = []
        self._count_429 = 0
        self._faults = _Faults()
        self._rate_limited = RATE_LIMITED | {
            name for name in self._spec.methods if name.startswith("send") and name != "sendchataction"
        }
        # Server-side state, created on the loop that runs the server.
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._changed: asyncio.Event | None = None
        self._closing: asyncio.Event | None = None
        self._poll_generation = 0
        # Background-thread mode.
        self._thread: threading.Thread | None = None
        self._thread_stop: asyncio.Event | None = None

    # -- lifecycle -----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``; the bot calls ``{base_url}/bot{token}/{method}``."""
        if self._bound_port is None:
            raise RuntimeError("the fake Bot API server is not running")
        return f"http://{HOST}:{self._bound_port}"

    @property
    def bot_user(self) -> JSON:
        """The bot's ``User`` object, as returned by getMe (without the getMe-only flags)."""
        return dict(self._engine.bot_user)

    async def astart(self) -> Self:
        """Start serving on the running event loop."""
        if self._runner is not None:
            raise RuntimeError("already started")
        self._loop = asyncio.get_running_loop()
        self._changed = asyncio.Event()
        self._closing = asyncio.Event()
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/_fake/{action}", self._handle_control)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)
        # shutdown_timeout bounds how long stop() waits for in-flight requests.
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=2.0)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            if self._port:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((HOST, self._port))
            site = web.SockSite(runner, sock)
            await site.start()
        except BaseException:
            sock.close()
            await runner.cleanup()
            raise
        self._bound_port = int(sock.getsockname()[1])
        self._runner = runner
        return self

    async def astop(self) -> None:
        """Stop serving: wake long polls and stalls, close connections and the socket."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        assert self._closing is not None
        self._closing.set()
        self._wake()
        await runner.cleanup()
        self._bound_port = None
        self._loop = None

    def start(self) -> Self:
        """Start serving in a background thread with its own event loop."""
        if self._thread is not None:
            raise RuntimeError("already started")
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._thread = threading.Thread(
            target=self._thread_main, args=(ready,), name="fake-bot-api", daemon=True
        )
        self._thread.start()
        try:
            ready.result(timeout=10)
        except BaseException:
            self._thread.join(timeout=5)
            self._thread = None
            raise
        return self

    def stop(self) -> None:
        """Stop the background-thread server and wait for its thread to finish."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        loop, stop = self._loop, self._thread_stop
        if loop is not None and stop is not None:
            loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)

    def _thread_main(self, ready: concurrent.futures.Future[None]) -> None:
        async def serve() -> None:
            self._thread_stop = asyncio.Event()
            try:
                await self.astart()
            except BaseException as exc:
                ready.set_exception(exc)
                return
            ready.set_result(None)
            try:
                await self._thread_stop.wait()
            finally:
                await self.astop()

        asyncio.run(serve())

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        return await self.astart()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.astop()

    # -- notifications -------------------------------------------------------------------

    def _wake(self) -> None:
        # Runs on the server loop: release every waiter of the current event.
        if self._changed is not None:
            self._changed.set()
            self._changed = asyncio.Event()

    def _notify(self) -> None:
        """Tell long polls and ``wait_for`` callers that state changed (any thread)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake)
        with self._cond:
            self._cond.notify_all()

    def _pushed(self, update_id: int) -> int:
        self._notify()
        return update_id

    async def _pause(self, seconds: float) -> None:
        """Sleep, but return early when the server is stopping."""
        if seconds <= 0 or self._closing is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    # -- HTTP handlers -------------------------------------------------------------------

    async def _handle_unknown(self, request: web.Request) -> web.Response:
        return _error_response(ApiError(404, "Not Found"))

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _error_response(ApiError(401, "Unauthorized"))
        stored = self._engine.file_by_path(request.match_info["path"])
        if stored is None:
            return _error_response(ApiError(404, "Not Found"))
        return web.Response(body=stored.data, content_type=stored.mime_type)

    async def _handle_api(self, request: web.Request) -> web.Response:
        received_wall, received = time.time(), time.monotonic()
        if request.match_info["token"] != self.token:
            return _error_response(ApiError(401, "Unauthorized"))
        requested = request.match_info["method"]
        method = self._spec.method(requested)
        recorded: JSON = {}
        try:
            try:
                params, files = await _read_params(request)
            except ConnectionError:
                # The client hung up mid-request (e.g. a bot cancelling a poll at shutdown);
                # nobody is left to answer, and aiohttp would log it as a server error.
                return web.Response(status=HTTPStatus.BAD_REQUEST)
            recorded = {**params, **files}  # what is kept if validation fails
            if method is None:
                raise ApiError(404, "Not Found")
            recorded, result = await self._process(method, params, files)
            status, body = 200, {"ok": True, "result": result}
        except ApiError as error:
            status, body = error.status, error.payload()
        self._record(method.name if method else requested, recorded, received_wall, received, status, body)
        return web.json_response(body, status=status, dumps=_dumps)

    def _record(
        self, method: str, params: JSON, wall: float, received: float, status: int, response: JSON
    ) -> Call:
        """One call as the tests read it back (``sent``), however it reached the fake."""
        call = Call(
            method=method,
            params=params,
            time=wall,
            monotonic=received,
            status=status,
            response=response,
            duration=time.monotonic() - received,
        )
        with self._cond:
            self._calls.append(call)
            if status == HTTPStatus.TOO_MANY_REQUESTS:
                self._count_429 += 1
            self._cond.notify_all()
        return call

    async def _process(
        self, method: ObjectSpec, params: JSON, files: dict[str, UploadedFile]
    ) -> tuple[JSON, Any]:
        """Delays, faults, validation and behaviour; returns (validated params, result)."""
        with self._cond:
            latency = self._faults.latency
            fault = self._faults.take(method.name, params)
        await self._pause(latency)
        if fault is not None and fault.stall is not None:
            await self._pause(fault.stall)
            if not fault.process:
                raise ApiError(504, "Gateway Timeout")
        elif fault is not None and fault.then is None:
            raise self._fault_error(fault)
        validated = self._spec.validate_call(method, params, files)
        if method.name == "getUpdates":
            return validated.params, await self._get_updates(validated.params)
        self._apply_rate_limit(method.name, validated.params)
        result = self._engine.call(method.name, validated.params, validated.formatted)
        if fault is not None and fault.then is not None:
            fault.then()
        return validated.params, result

    @staticmethod
    def _fault_error(fault: _Fault) -> ApiError:
        if fault.status == 429:
            retry_after = fault.retry_after if fault.retry_after is not None else 1
            description = fault.description or f"Too Many Requests: retry after {retry_after}"
            return ApiError(429, description, {"retry_after": retry_after})
        description = fault.description or HTTPStatus(fault.status).phrase
        return ApiError(fault.status, description)

    def _apply_rate_limit(self, method: str, params: JSON) -> None:
        if method.lower() not in self._rate_limited:
            return
        chat_id = params.get("chat_id")
        chat_type = self._engine.limited_chat_type(chat_id)
        with self._cond:
            limiter = self._faults.limiter
            if limiter is None or chat_type is None or not isinstance(chat_id, int):
                return
            retry_after = limiter.acquire(chat_id, chat_type, time.monotonic())
        if retry_after is not None:
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})

    async def _get_updates(self, params: JSON) -> list[JSON]:
        assert self._closing is not None
        offset = params.get("offset")
        limit = min(max(int(params.get("limit", 100)), 1), 100)  # Telegram clamps, no error
        timeout = max(int(params.get("timeout", 0)), 0)
        allowed = params.get("allowed_updates")
        # A newer getUpdates terminates an older one still waiting, like on Telegram.
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()
        deadline = time.monotonic() + timeout
        while True:
            updates = self._engine.take_updates(offset, limit, allowed)
            remaining = deadline - time.monotonic()
            if updates or remaining <= 0 or self._closing.is_set():
                return updates
            changed = self._changed
            assert changed is not None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)
            if generation != self._poll_generation:
                raise ApiError(409, CONFLICT_OTHER_POLLER)

    async def _handle_control(self, request: web.Request) -> web.Response:
        action = request.match_info["action"]
        query = request.query
        if action == "messages" and "chat_id" in query:
            return web.json_response(self.messages(int(query["chat_id"])), dumps=_dumps)
        if action == "calls":
            return web.json_response(self.sent(), dumps=_dumps)
        if action not in CONTROL_ACTIONS:
            return _error_response(ApiError(404, f"Not Found: no control action {action!r}"))
        try:
            kwargs = await request.json() if request.body_exists else {}
            result = getattr(self, action)(**kwargs)
        except (TypeError, ValueError, AssertionError) as exc:
            return _error_response(bad_request(str(exc)))
        return web.json_response({"ok": True, "result": result}, dumps=_dumps)

    # -- simulated users and chats -------------------------------------------------------

    def add_private_chat(
        self,
        user_id: int,
        first_name: str = "Test User",
        language_code: str | None = "id",
        *,
        last_name: str | None = None,
        username: str | None = None,
    ) -> JSON:
        """Register a user who started the bot; returns the private ``Chat``."""
        return self._engine.add_private_chat(
            user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )

    def add_group(
        self,
        chat_id: int,
        title: str = "Test Group",
        *,
        chat_type: str | None = None,
        username: str | None = None,
    ) -> JSON:
        """Register a group the bot is a member of (``-100...`` ids become supergroups)."""
        return self._engine.add_group(chat_id, title, chat_type=chat_type, username=username)

    def register_file(
        self, data: bytes, *, file_name: str | None = None, mime_type: str | None = None
    ) -> str:
        """Make bytes available to getFile/download; returns the new ``file_id``."""
        return self._engine.register_file(
            data, folder="documents", file_name=file_name, mime_type=mime_type
        ).file_id

    def file_content(self, file_id: str) -> bytes:
        """The bytes behind a file_id, e.g. of a document the bot uploaded."""
        stored = self._engine.file_by_id(file_id)
        if stored is None:
            raise KeyError(file_id)
        return stored.data

    def block_user(self, user_id: int, *, notify: bool = True) -> None:
        """The user blocks the bot: sends to them fail with 403 (and a my_chat_member update)."""
        self._engine.set_blocked(user_id, True, notify=notify)
        self._notify()

    def unblock_user(self, user_id: int, *, notify: bool = True) -> None:
        """The user restarts the bot after blocking it."""
        self._engine.set_blocked(user_id, False, notify=notify)
        self._notify()

    # -- pushing updates -----------------------------------------------------------------

    def _push_private(self, user_id: int, content: JSON, reply_to: int | None = None) -> int:
        self._engine.ensure_private_chat(user_id)
        return self._pushed(self._engine.push_message(user_id, user_id, content, reply_to))

    def unanswered_callbacks(self) -> list[str]:
        """The ids of pushed button presses not answered yet (their buttons still spin)."""
        return self._engine.unanswered_callbacks()

    def webhook_reply(self, body: bytes) -> Call | None:
        """A webhook's 200 answer, as Telegram reads it: a body naming a ``method`` is a Bot API
        call ("Making requests when getting updates"), checked against the spec and carried out
        like one sent over HTTP, and recorded with the others. Telegram tells the bot nothing of
        its result, so a refused one is only recorded. None for an answer that calls nothing."""
        try:
            params = json.loads(body) if body.strip() else None
        except ValueError:
            return None
        if not isinstance(params, dict) or not isinstance(params.get("method"), str):
            return None
        requested = params.pop("method")
        method = self._spec.method(requested)
        received_wall, received = time.time(), time.monotonic()
        status, response = 200, {"ok": True, "result": True}
        try:
            if method is None:
                raise ApiError(404, "Not Found")
            validated = self._spec.validate_call(method, params, {})
            result = self._engine.call(method.name, validated.params, validated.formatted)
            response = {"ok": True, "result": result}
        except ApiError as error:
            status, response = error.status, error.payload()
        return self._record(
            method.name if method else requested, params, received_wall, received, status, response
        )

    def push_text(self, user_id: int, text: str, reply_to_message_id: int | None = None) -> int:
        """The user sends ``text`` in their private chat; returns the update_id."""
        return self._push_private(user_id, self._engine.text_content(text), reply_to_message_id)

    def push_text_in_group(
        self, chat_id: int, user_id: int, text: str, reply_to_message_id: int | None = None
    ) -> int:
        """The user writes ``text`` in a group registered with :meth:`add_group`."""
        self._engine.ensure_user(user_id)
        content = self._engine.text_content(text)
        return self._pushed(self._engine.push_message(chat_id, user_id, content, reply_to_message_id))

    def push_callback(self, user_id: int, data: str, message_id: int, chat_id: int | None = None) -> int:
        """The user presses a callback button with ``data`` on a (bot) message."""
        self._engine.ensure_user(user_id)
        chat = user_id if chat_id is None else chat_id
        return self._pushed(self._engine.push_callback(user_id, data, message_id, chat))

    def push_button(self, user_id: int, message_id: int, label: str, chat_id: int | None = None) -> int:
        """Press the inline button labelled ``label``; fails if the message has none."""
        chat = user_id if chat_id is None else chat_id
        data = self._engine.find_button(chat, message_id, label)
        return self.push_callback(user_id, data, message_id, chat)

    def push_photo(self, user_id: int, data: bytes = TINY_PNG, caption: str | None = None) -> int:
        """The user sends a photo (downloadable through getFile)."""
        stored = self._engine.register_file(data, folder="photos", mime_type="image/png")
        content: JSON = {"photo": self._engine.photo_sizes(stored)}
        return self._push_private(user_id, self._with_caption(content, caption))

    def push_document(
        self,
        user_id: int,
        data: bytes = b"%PDF-1.4\n% fake document\n",
        file_name: str = "document.pdf",
        mime_type: str = "application/pdf",
        caption: str | None = None,
    ) -> int:
        """The user sends a document (downloadable through getFile)."""
        stored = self._engine.register_file(
            data, folder="documents", file_name=file_name, mime_type=mime_type
        )
        content: JSON = {"document": self._engine.document(stored)}
        return self._push_private(user_id, self._with_caption(content, caption))

    def push_voice(self, user_id: int, data: bytes = b"OggS fake voice", duration: int = 3) -> int:
        """The user sends a voice note (downloadable through getFile)."""
        stored = self._engine.register_file(data, folder="voice", mime_type="audio/ogg")
        return self._push_private(user_id, {"voice": self._engine.voice(stored, duration)})

    def push_location(self, user_id: int, latitude: float, longitude: float) -> int:
        """The user shares a location."""
        return self._push_private(
            user_id, {"location": {"latitude": float(latitude), "longitude": float(longitude)}}
        )

    def push_contact(
        self,
        user_id: int,
        phone_number: str,
        first_name: str | None = None,
        *,
        last_name: str | None = None,
        contact_user_id: int | None = None,
    ) -> int:
        """The user shares a contact; by default their own (as a request_contact button does)."""
        self._engine.ensure_private_chat(user_id)
        user = self._engine.user(user_id)
        contact: JSON = {
            "phone_number": phone_number,
            "first_name": first_name or user["first_name"],
            "user_id": user_id if contact_user_id is None else contact_user_id,
        }
        if last_name:
            contact["last_name"] = last_name
        return self._push_private(user_id, {"contact": contact})

    @staticmethod
    def _with_caption(content: JSON, caption: str | None) -> JSON:
        return {**content, "caption": caption} if caption else content

    def push_raw(self, update: JSON) -> int | None:
        """Queue any update dict as-is (e.g. malformed); numbered if it has no update_id.

        Returns the update_id, or ``None`` when the given update_id is not an integer.
        """
        update_id = self._engine.push_raw(update)
        self._notify()
        return update_id

    def take_update(self, update_id: int) -> JSON:
        """A pushed update, taken out of the getUpdates queue, for a test playing Telegram's
        webhook delivery (posting each update to one of several bot processes)."""
        return self._engine.pop_update(update_id)

    def redeliver(self, update_id: int) -> None:
        """Deliver an update again with the same update_id, as at-least-once delivery may."""
        self._engine.redeliver(update_id)
        self._notify()

    # -- inspection ----------------------------------------------------------------------

    def sent(self, chat_id: int | str | None = None, method: str | None = None) -> list[Call]:
        """Every recorded request, optionally only those for ``chat_id`` and/or ``method``."""
        with self._cond:
            calls = list(self._calls)
        if method is not None:
            calls = [call for call in calls if call.method.lower() == method.lower()]
        if chat_id is not None:
            calls = [call for call in calls if str(call.params.get("chat_id")) == str(chat_id)]
        return calls

    def messages(self, chat_id: int) -> list[JSON]:
        """Current state of the bot's messages in a chat (after edits; deleted ones gone)."""
        return self._engine.bot_messages(chat_id)

    def history(self, chat_id: int) -> list[JSON]:
        """Every message of a chat, the users' and the bot's, oldest first, as a member of it
        sees them now (after edits; deleted ones gone)."""
        return self._engine.chat_messages(chat_id)

    def age_messages(self, chat_id: int, seconds: int) -> None:
        """Pretend the chat's messages so far were sent ``seconds`` earlier (e.g. 48 hours, after
        which Telegram refuses to delete them)."""
        self._engine.age_messages(chat_id, int(seconds))

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """The command list set for a scope and language (empty when none)."""
        return self._engine.commands(scope, language_code)

    @property
    def count_429(self) -> int:
        """How many 429 answers were sent (injected and rate-limited)."""
        with self._cond:
            return self._count_429

    def _check_not_server_loop(self) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            return
        if running is self._loop:
            raise RuntimeError(
                "the blocking wait would freeze the server's own event loop; "
                "use wait_for_async / wait_for_message_async instead"
            )

    def wait_for(
        self,
        predicate: Callable[[], T | None],
        timeout: float = 10.0,
        *,
        description: str | None = None,
    ) -> T:
        """Block until ``predicate()`` returns something truthy and return it.

        On timeout raise an AssertionError showing the last requests the bot made. From async
        code use :meth:`wait_for_async`: blocking here would also stall a bot that runs on the
        test's event loop.
        """
        self._check_not_server_loop()
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            remaining = deadline - time.monotonic()
            if value or remaining <= 0:
                break
            with self._cond:
                self._cond.wait(min(remaining, 0.05))
        if not value:
            raise AssertionError(self._timeout_report(description or repr(predicate), timeout))
        return value

    async def wait_for_async(
        self,
        predicate: Callable[[], T | None],
        # Same signature as the blocking wait_for, hence a timeout argument on a coroutine.
        timeout: float = 10.0,  # noqa: ASYNC109
        *,
        description: str | None = None,
    ) -> T:
        """Async :meth:`wait_for`, for tests whose bot runs on the same event loop."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value or time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.01)
        if not value:
            raise AssertionError(self._timeout_report(description or repr(predicate), timeout))
        return value

    def _message_matcher(
        self, chat_id: int, contains: str | None, after_message_id: int
    ) -> Callable[[], JSON | None]:
        def match() -> JSON | None:
            for message in self.messages(chat_id):
                body = str(message.get("text", message.get("caption", "")))
                if message["message_id"] > after_message_id and (contains is None or contains in body):
                    return message
            return None

        return match

    def _describe_wait(self, chat_id: int, contains: str | None, after: int) -> str:
        wanted = "any text" if contains is None else f"text containing {contains!r}"
        return f"a bot message in chat {chat_id} with {wanted} (message_id > {after})"

    def wait_for_message(
        self,
        chat_id: int,
        contains: str | None = None,
        timeout: float = 10.0,
        *,
        after_message_id: int = 0,
    ) -> JSON:
        """Block until the bot has a message in ``chat_id`` containing ``contains``.

        Returns the oldest match with ``message_id > after_message_id`` in its current state.
        """
        return self.wait_for(
            self._message_matcher(chat_id, contains, after_message_id),
            timeout,
            description=self._describe_wait(chat_id, contains, after_message_id),
        )

    async def wait_for_message_async(
        self,
        chat_id: int,
        contains: str | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - mirrors wait_for_message
        *,
        after_message_id: int = 0,
    ) -> JSON:
        """Async :meth:`wait_for_message`."""
        return await self.wait_for_async(
            self._message_matcher(chat_id, contains, after_message_id),
            timeout,
            description=self._describe_wait(chat_id, contains, after_message_id),
        )

    def _timeout_report(self, description: str, timeout: float) -> str:
        lines = [f"timed out after {timeout:.1f}s waiting for {description}"]
        calls = [call for call in self.sent() if call.method != "getUpdates"][-8:]
        lines.append("last requests of the bot (getUpdates omitted):" if calls else "no requests")
        for call in calls:
            outcome = "ok" if call.ok else f"{call.status} {call.description}"
            text = call.params.get("text", call.params.get("caption", ""))
            lines.append(
                f"  {call.method} chat_id={call.params.get('chat_id')} {str(text)[:80]!r} -> {outcome}"
            )
        return "\n".join(lines)

    # -- fault injection -----------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int = 500,
        times: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
        contains: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` ("*" = any) with an error; with
        ``contains``, only calls whose text (or caption) holds it (piece 2 of a long message).

        429 answers carry ``parameters.retry_after`` (default 1 s) as Telegram's do.
        """
        HTTPStatus(status)  # reject nonsense early
        with self._cond:
            self._faults.queue.append(
                _Fault(method.lower(), times, status, retry_after, description, contains=contains)
            )

    def stall_next(
        self, method: str, seconds: float = 30.0, times: int = 1, *, process: bool = False
    ) -> None:
        """Hold the next ``times`` calls of ``method`` for ``seconds`` (a client timeout).

        With ``process=False`` the request is then dropped (504); with ``process=True`` it is
        carried out after the delay, like a request whose answer was lost on the network.
        """
        with self._cond:
            self._faults.queue.append(_Fault(method.lower(), times, stall=seconds, process=process))

    def crash_after_next(self, method: str, then: Callable[[], None], contains: str | None = None) -> None:
        """Carry out the next call of ``method`` (with ``contains``: the next whose text holds
        it), then run ``then`` before answering: e.g. SIGKILL the bot process, which then dies
        between Telegram accepting a message and learning that it did. ``then`` runs on the
        server's thread and blocks it meanwhile; the call is recorded as answered."""
        with self._cond:
            self._faults.queue.append(_Fault(method.lower(), 1, contains=contains, then=then))

    def latency(self, seconds: float) -> None:
        """Add ``seconds`` of delay to every Bot API call from now on (0 to disable)."""
        with self._cond:
            self._faults.latency = max(0.0, seconds)

    def rate_limits(
        self,
        enabled: bool = True,
        *,
        per_second: float = 30.0,
        private_burst: int = 3,
        private_per_second: float = 1.0,
        group_per_minute: int = 20,
    ) -> None:
        """Enforce Telegram's flood limits with 429 + retry_after (fresh buckets each call)."""
        config = RateLimitConfig(per_second, private_burst, private_per_second, group_per_minute)
        with self._cond:
            self._faults.limiter = RateLimiter(config) if enabled else None
