"""What every page of the console shares: the application's state (``Desk``), the logged-in
officer, CSRF checks, templates in the officer's language, and short messages after an action.

Sessions live in the database (``console_sessions``): the cookie holds a random token, the table
a keyed hash of it. A session ends after ``HELPLINE_CONSOLE_IDLE_TIMEOUT`` without a request, after
``HELPLINE_CONSOLE_SESSION_MAX`` in all, at logout, when the account is locked or its password
changes, and when the officer is removed from their agency."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import get_month_names
from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine

from bot.config import Settings, parse_duration
from bot.i18n import LANGUAGES, renderer, translations
from bot.privacy import protect
from bot.service import Helpline
from console.auth import Lockout, Passwords, same, token_hash
from flows.render import JAKARTA
from flows.text import Text
from flows.vocab import agency_name, category_label, country_label
from storage.desk import DeskRepository
from storage.tables import StaffRow
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
TOUCH_EVERY = timedelta(seconds=30)  # last_seen_at is written at most this often


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Officer:
    """The logged-in officer of a full session: who, for which agency, with which role."""

    account_id: int
    staff_id: int
    telegram_id: int
    agency: str
    name: str
    username: str
    role: str
    lang: str
    session_id: str
    csrf: str


@dataclass(frozen=True)
class Canned:
    """A prepared answer: an id and, per language, a title and the text."""

    id: str
    title: dict[str, str]
    text: dict[str, str]


class LoginNeeded(Exception):
    """No (or no longer a) valid session: to the login page."""


class Desk:
    """The console's state: settings, the database, the service that acts on tickets, the
    clock, the password hasher and the templates."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        *,
        clock: Callable[[], datetime] = utcnow,
        passwords: Passwords | None = None,
        helpline: Helpline | None = None,
    ) -> None:
        self.settings = settings
        self.db = protect(engine, settings)
        self.clock = clock
        self.helpline = helpline or Helpline(self.db, settings, clock=clock)
        self.passwords = passwords or Passwords()
        configured = settings.helpline_console_secret
        if not configured:
            log.warning(
                "HELPLINE_CONSOLE_SECRET is not set: a random one is used, so sessions end "
                "when the console restarts"
            )
        self.secret = (configured or secrets.token_urlsafe(32)).encode("utf-8")
        # Names the secret in the duplicate index without revealing it.
        self.key_id = hashlib.sha256(b"helpline-console-key-id:" + self.secret).hexdigest()[:16]
        self.idle = parse_duration(settings.helpline_console_idle_timeout)
        self.session_max = parse_duration(settings.helpline_console_session_max)
        self.lockout = Lockout(
            settings.helpline_console_lockout_after, parse_duration(settings.helpline_console_lockout_for)
        )
        self.secure = settings.helpline_console_cookie_secure
        # The __Host- prefix makes the browser refuse the cookie from anything but this origin
        # over HTTPS; plain HTTP (development, tests on 127.0.0.1) cannot carry it.
        self.cookie = "__Host-helpline" if self.secure else "helpline_console"
        self.login_cookie = "__Host-helpline-login" if self.secure else "helpline_login"
        self.envs = {lang: _environment(lang) for lang in LANGUAGES}
        self.canned = load_canned(settings.helpline_data_dir / "canned_replies.json")
        self._flashes: dict[str, str] = {}

    # -- sessions --------------------------------------------------------------------------
    def hash(self, token: str) -> str:
        return token_hash(self.secret, token)

    def officer(self, request: Request) -> Officer:
        """The officer of this request's full session; raises LoginNeeded otherwise."""
        found = self.session_of(request, stage="full")
        if found is None:
            raise LoginNeeded()
        return found

    def session_of(self, request: Request, *, stage: str) -> Officer | None:
        token = request.cookies.get(self.cookie)
        if not token:
            return None
        session_id = self.hash(token)
        now = self.clock()
        with UnitOfWork(self.db) as uow:
            desk = DeskRepository(uow.session)
            row = desk.session_row(session_id)
            if row is None or row.stage != stage:
                return None
            account = desk.account(row.account_id)
            staff = uow.session.get(StaffRow, account.staff_id) if account else None
            expired = now - row.last_seen_at > self.idle or now - row.created_at > self.session_max
            gone = (
                account is None
                or staff is None
                or not staff.active
                or (account.locked_until is not None and account.locked_until > now)
            )
            if expired or gone:
                desk.end_session(session_id)
                uow.commit()
                return None
            assert account is not None and staff is not None and account.id is not None
            assert staff.id is not None
            if now - row.last_seen_at >= TOUCH_EVERY:
                desk.touch_session(session_id, now)
                uow.commit()
            return Officer(
                account.id,
                staff.id,
                staff.telegram_id,
                staff.agency,
                staff.name,
                account.username,
                account.role,
                account.lang,
                session_id,
                row.csrf,
            )

    async def posting(self, request: Request) -> Officer:
        """The officer of a form post whose CSRF token matches their session's; 403 otherwise."""
        officer = self.officer(request)
        sent = request.headers.get("x-csrf-token")
        if sent is None:
            form = await request.form()
            value = form.get("csrf")
            sent = value if isinstance(value, str) else None
        if not same(sent, officer.csrf):
            raise HTTPException(status_code=403, detail="CSRF token missing or wrong")
        return officer

    # -- pages -----------------------------------------------------------------------------
    def page(
        self,
        request: Request,
        template: str,
        lang: str,
        status_code: int = 200,
        officer: Officer | None = None,
        **context: Any,
    ) -> HTMLResponse:
        env = self.envs.get(lang, self.envs[LANGUAGES[0]])
        flash = self._flashes.pop(officer.session_id, None) if officer else None
        html = env.get_template(template).render(
            request=request, officer=officer, lang=lang, flash=flash, now=self.clock(), **context
        )
        return HTMLResponse(html, status_code=status_code)

    def flash(self, officer: Officer, text: str) -> None:
        """A short message shown on the next page of this session (in memory: a restart loses
        it, which costs nothing)."""
        if len(self._flashes) > 10_000:
            self._flashes.clear()
        self._flashes[officer.session_id] = text

    def redirect(self, request: Request, url: str) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": url})
        return RedirectResponse(url, status_code=303)


def fingerprint(*parts: object) -> str:
    """A short digest of what a reloading fragment shows: when the browser's copy has the same,
    the reload answers 204 and htmx leaves the page alone (no flicker, no images fetched again)."""
    return hashlib.sha256(repr(parts).encode("utf-8", "replace")).hexdigest()[:16]


def unchanged(request: Request, digest: str) -> Response | None:
    return Response(status_code=204) if request.query_params.get("v") == digest else None


def load_canned(path: Path) -> list[Canned]:
    if not path.exists():
        return []
    raw = json.loads(path.read_text("utf-8"))
    replies = [Canned(str(item["id"]), dict(item["title"]), dict(item["text"])) for item in raw["replies"]]
    for reply in replies:
        missing = [lang for lang in LANGUAGES if not reply.text.get(lang) or not reply.title.get(lang)]
        if missing:
            raise ValueError(f"canned reply {reply.id!r} lacks {', '.join(missing)}")
    return replies


@cache
def _months(lang: str) -> dict[int, str]:
    return dict(get_month_names("abbreviated", locale=lang).items())


def when(value: datetime | None, lang: str) -> str:
    """``d MMM yyyy HH:mm WIB`` as the bot writes times; the month names come from Babel once
    (formatting each time with Babel cost a third of the queue page)."""
    if value is None:
        return ""
    local = value.astimezone(JAKARTA)
    return f"{local.day} {_months(lang)[local.month]} {local.year} {local:%H:%M} WIB"


def span(delta: timedelta) -> str:
    """A short duration for tables: 45 min, 3 h 10 min, 2 d 4 h."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


def _environment(lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    render = renderer(lang, "plain")

    def label(value: Text | tuple[Text, ...] | None) -> str:
        if value is None:
            return ""
        if isinstance(value, tuple):
            return ", ".join(render.text(v) for v in value)
        return render.text(value)

    # The queue shows these on every row: rendered once per language and code.
    @cache
    def category(code: str) -> str:
        return render.text(category_label(code))

    @cache
    def country(code: str | None) -> str:
        found = country_label(code)
        return render.text(found) if found is not None else (code or "–")

    env.filters["t"] = label
    env.filters["category"] = category
    env.filters["country"] = country
    env.filters["agency"] = lambda code: render.text(agency_name(code))
    env.filters["when"] = lambda value: when(value, lang)
    env.filters["span"] = span
    return env
