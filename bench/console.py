"""The console's page budget: an agency's queue with 10,000 tickets, rendered through the real
application in one process (Starlette's test client: routing, the session check, the count and
page queries, the template), on SQLite and on PostgreSQL. The budget is 200 ms a page; the ticket
page and the dashboard are measured beside it."""

from __future__ import annotations

import random
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import insert

from bot.config import Settings
from console.app import create_app
from console.auth import Passwords
from console.web import Desk
from storage.db import make_engine, migrate
from storage.desk import DeskRepository
from storage.tables import TicketCopyRow, TicketRow
from storage.uow import UnitOfWork

from .core import database
from .stats import percentile

TIME_LIMIT = 30.0  # seconds of requests per page at most
# CPU ms: this process's CPU time per request (the application, and SQLite, which runs in it; not
# the PostgreSQL server): on a shared machine it shows the cost apart from waiting for a core.
HEADERS = ("database", "tickets", "page", "requests", "p50 ms", "p95 ms", "max ms", "CPU p50 ms")
CATEGORIES = ("illegal_recruitment", "assist.wages", "assist.go_home", "other", "tppo", "held", "missing")
COUNTRIES = ("MY", "TW", "HK", "SA", "SG", "KR", None)
STATUSES = ("open", "open", "taken", "waiting", "resolved", "closed", "closed")


def seed(url: str, tickets: int) -> tuple[Desk, str, str]:
    """``tickets`` fictional tickets (KP2MI owns most, some are Polri's with a copy), one KP2MI
    officer with a full session; the desk, the session token and one reference."""
    engine = make_engine(url)
    migrate(engine)
    rng = random.Random(15)
    now = datetime.now(UTC)
    settings = Settings(
        _env_file=None,
        helpline_console_secret="bench-secret",  # type: ignore[call-arg]
        helpline_console_cookie_secure=False,
    )
    desk = Desk(
        settings, engine, passwords=Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    )
    with UnitOfWork(desk.db) as uow:
        officer = uow.staff.add(7002, "kp2mi", "Bench officer", now)
        colleague = uow.staff.add(7004, "kp2mi", "Bench colleague", now)
        rows: list[dict[str, Any]] = []
        for i in range(tickets):
            created = now - timedelta(minutes=rng.randrange(60 * 24 * 60))
            status = rng.choice(STATUSES)
            priority = rng.choice(("urgent", "high", "normal", "normal", "normal"))
            taken = rng.choice((officer.id, colleague.id)) if status in ("taken", "waiting") else None
            rows.append(
                {
                    "ref": f"PMI-B{i // 10000:03d}-{i % 10000:04d}",
                    "idempotency_key": f"bench-{i}",
                    "kind": "report",
                    "category": rng.choice(CATEGORIES),
                    "priority": priority,
                    "status": status,
                    "owner": "ppa-ppo" if i % 5 == 0 else "kp2mi",
                    "reporter_user_id": None,
                    "reporter_role": "worker",
                    "lang": "id",
                    "created_at": created,
                    "updated_at": created,
                    "first_response_due": created + timedelta(hours=48),
                    "first_response_at": created + timedelta(hours=3) if status != "open" else None,
                    "taken_by": taken,
                    "taken_at": created if taken else None,
                    "closed_at": created + timedelta(days=3) if status == "closed" else None,
                    "version": 1,
                    "description": "Contoh laporan untuk bench.",
                    "victim": "self",
                    "victim_name": None,
                    "victim_minor": False,
                    "danger_now": False,
                    "country": rng.choice(COUNTRIES),
                    "city": None,
                    "location": None,
                    "contact_method": "chat",
                    "contact_phone": None,
                    "details": "{}",
                    "anonymised_at": None,
                }
            )
        uow.session.execute(insert(TicketRow.__table__), rows)  # type: ignore[attr-defined]
        copied = [{"ticket_id": i + 1, "agency": "kp2mi"} for i in range(0, tickets, 5)]
        uow.session.execute(insert(TicketCopyRow.__table__), copied)  # type: ignore[attr-defined]
        repo = DeskRepository(uow.session)
        account = repo.set_password(
            officer, "bench", desk.passwords.hash("bench password 1"), "supervisor", now
        )
        token = secrets.token_urlsafe(32)
        assert account.id is not None
        repo.create_session(desk.hash(token), account.id, "full", secrets.token_urlsafe(24), now)
        uow.commit()
    return desk, token, "PMI-B000-0001"


def run(kind: str, tickets: int, requests: int) -> list[list[object]]:
    with database(kind) as url:
        desk, token, ref = seed(url, tickets)
        client = TestClient(create_app(desk))
        client.cookies.set(desk.cookie, token)
        pages = (
            ("queue: all of my agency", "/queue"),
            ("queue: mine", "/queue?view=mine"),
            ("queue: filtered", "/queue?category=assist.wages&country=MY&priority=normal"),
            ("queue: page 50", "/queue?page=50"),
            ("queue: rows (htmx reload)", "/queue/rows"),
            ("ticket page", f"/tickets/{ref}"),
            ("dashboard", "/dashboard"),
        )
        out = []
        for name, path in pages:
            count = requests if not name.startswith("dashboard") else max(requests // 5, 3)
            for _ in range(3):
                assert client.get(path).status_code == 200, path
            times: list[float] = []
            cpu: list[float] = []
            stop = time.monotonic() + TIME_LIMIT
            while len(times) < count and time.monotonic() < stop:
                began, began_cpu = time.perf_counter(), time.process_time()
                answer = client.get(path)
                times.append((time.perf_counter() - began) * 1000)
                cpu.append((time.process_time() - began_cpu) * 1000)
                assert answer.status_code == 200
            out.append(
                [
                    kind,
                    f"{tickets:,}",
                    name,
                    count,
                    f"{percentile(times, 50):.1f}",
                    f"{percentile(times, 95):.1f}",
                    f"{max(times):.1f}",
                    f"{percentile(cpu, 50):.1f}",
                ]
            )
        client.close()
        desk.db.dispose()
    return out
