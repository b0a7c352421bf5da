"""Core throughput: whole conversations through ``Helpline.handle`` (engine + storage, no
Telegram), on a SQLite file and on PostgreSQL, one update at a time on one thread.

Both databases are opened as ``helpline run`` opens them (group commit: commits are synced
together, see storage/db.py), and the WAL is synced after every 100 updates, as the runtime does
at least once per getUpdates batch of up to 100; that sync is timed with the update that
triggers it. ``sqlite-full`` and ``postgresql-full`` sync every commit (SQLite's
``synchronous=FULL``, PostgreSQL's ``synchronous_commit=on``), as the other commands do.

A conversation is onboarding (/start, language, consent, role: 4 updates) and a report
(/lapor and 9 answers, the last one opening the ticket and its two staff cards: 10 updates).
With several users the conversations are interleaved step by step, as real traffic is: every
user has a conversation in progress while the others move on."""

from __future__ import annotations

import contextlib
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.outgoing import Outgoing
from bot.service import Helpline
from flows.incoming import ChoiceIn, CommandIn, Incoming, TextIn
from storage.db import flush_commits, make_engine, migrate

from .stats import percentile

# The maintenance database: only to create and drop the bench's own bench_* databases.
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
KP2MI_CHAT, PPA_CHAT = -1001000000001, -1001000000002

Action = tuple[str, str]  # ("cmd" | "text" | "data" | "press", value)
ONBOARDING: list[Action] = [("cmd", "start"), ("data", "g.lang.en"), ("press", "agree"), ("press", "worker")]
REPORT: list[Action] = [
    ("cmd", "lapor"),
    ("press", "held"),
    ("press", "no"),
    ("press", "self"),
    ("press", "MY"),
    ("text", "Johor Bahru"),
    ("text", "My passport is kept by the employer and I cannot leave the house."),
    ("press", "skip"),
    ("press", "chat"),
    ("press", "send"),
]
CONVERSATION = ONBOARDING + REPORT
AGAIN = [("cmd", "start"), *REPORT]  # a later conversation of someone already onboarded


class PacedClock:
    """Ten seconds pass between updates: a person types, so the anti-flood guard stays quiet
    even when one user plays a hundred conversations in a row."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=10)
        return self.now


class User:
    """One Telegram user playing a script against the service."""

    __slots__ = ("h", "id", "last", "update")

    def __init__(self, helpline: Helpline, telegram_id: int) -> None:
        self.h, self.id = helpline, telegram_id
        self.last: list[Outgoing] = []
        self.update = telegram_id * 1000

    def incoming(self, action: Action) -> Incoming:
        kind, value = action
        if kind == "cmd":
            return CommandIn(value)
        if kind == "text":
            return TextIn(value)
        if kind == "data":
            return ChoiceIn(value)
        for message in reversed(self.last):
            for row in message.buttons:
                for _, data in row:
                    if data.split(".", 1)[1] == value:
                        return ChoiceIn(data)
        raise RuntimeError(f"no button {value!r} for user {self.id}")

    def act(self, action: Action) -> float:
        incoming = self.incoming(action)
        self.update += 1
        start = time.perf_counter()
        self.last = self.h.handle(self.id, incoming, update_id=self.update)
        return time.perf_counter() - start


def settings(url: str, **extra: object) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,
        helpline_staff_chat_kp2mi=KP2MI_CHAT,
        helpline_staff_chat_ppa_ppo=PPA_CHAT,
        **extra,  # type: ignore[arg-type]
    )


@contextlib.contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="helpline-bench-") as tmp:
        yield f"sqlite:///{Path(tmp) / 'bench.db'}"


def postgres_available() -> bool:
    try:
        with psycopg.connect(_plain(PG_ADMIN_URL), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def _plain(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextlib.contextmanager
def postgres_url() -> Iterator[str]:
    """A fresh database ``bench_<random>`` on the local server, dropped afterwards."""
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = _plain(PG_ADMIN_URL)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def database(kind: str) -> Iterator[str]:
    with sqlite_url() if kind == "sqlite" else postgres_url() as url:
        yield url


@dataclass
class CoreResult:
    db: str
    users: int
    conversations: int
    updates: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0

    def row(self) -> list[object]:
        lat = self.latencies
        return [
            self.db,
            f"{self.users:,}",
            f"{self.conversations:,}",
            f"{self.updates:,}",
            f"{self.rate:,.0f}",
            f"{percentile(lat, 50) * 1000:.2f}",
            f"{percentile(lat, 95) * 1000:.2f}",
            f"{percentile(lat, 99) * 1000:.2f}",
        ]


HEADERS = ["database", "users", "conversations", "updates", "updates/s", "p50 ms", "p95 ms", "p99 ms"]


def run(
    engine: Engine,
    url: str,
    users: int,
    conversations: int,
    *,
    first_id: int = 10**6,
    time_limit: float = 600.0,
    flush_every: int = 100,
) -> CoreResult:
    """``conversations`` conversations spread over ``users`` users (each at least one)."""
    helpline = Helpline(engine, settings(url), clock=PacedClock())
    people = [User(helpline, first_id + i) for i in range(users)]
    rounds = max(1, conversations // users)
    latencies: list[float] = []
    deadline = time.monotonic() + time_limit
    started = time.perf_counter()
    done = 0
    for round_ in range(rounds):
        script = CONVERSATION if round_ == 0 else AGAIN
        for action in script:
            # Checked before a step, so that a round finished just past the limit still counts.
            if time.monotonic() > deadline:
                break
            for person in people:
                latency = person.act(action)
                if len(latencies) % flush_every == flush_every - 1:
                    began = time.perf_counter()
                    flush_commits(engine)  # a no-op unless the engine groups commits
                    latency += time.perf_counter() - began
                latencies.append(latency)
        else:
            done += users
            continue
        break
    seconds = time.perf_counter() - started
    return CoreResult(engine.dialect.name, users, done, len(latencies), seconds, latencies)


def bench(kind: str, users: int, conversations: int, *, time_limit: float = 600.0) -> CoreResult:
    """``kind``: sqlite, postgresql, or either with ``-full`` (every commit synced)."""
    base, _, full = kind.partition("-")
    with database(base) as url:
        engine = make_engine(url, group_commit=not full)
        try:
            migrate(engine)
            result = run(engine, url, users, conversations, time_limit=time_limit)
            result.db = kind if kind != "postgresql" else result.db
            return result
        finally:
            engine.dispose()
