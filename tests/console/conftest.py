"""Fixtures of the console tests: the console (``Desk`` + FastAPI app) and the bot's service on
one migrated database (SQLite, and PostgreSQL when configured), a shared controllable clock,
officers with console accounts, a browser-like client that logs in with password and TOTP, and
reports filed through the service as a person would."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pyotp
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from bot.config import Settings
from console.app import create_app
from console.auth import Passwords
from console.web import Desk
from storage.desk import DeskRepository
from storage.uow import UnitOfWork
from tests.storage.conftest import engine  # noqa: F401 - the parametrized database fixture
from tests.support.service import Clock, Person, file_report, make_helpline, onboard, staff_settings

PASSWORD = "correct horse battery"
SECRET = "console-test-secret-0123456789"
PPA_OFFICER, KP2MI_OFFICER, KP2MI_SUPERVISOR = 7001, 7002, 7003
# Cheap argon2 parameters: the defaults cost ~50 ms and 64 MiB per hash.
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def console_settings(**values: object) -> Settings:
    return staff_settings(
        helpline_console_secret=SECRET,
        helpline_console_cookie_secure=False,
        **values,  # type: ignore[arg-type]
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def desk(engine: Engine, clock: Clock) -> Desk:  # noqa: F811
    settings = console_settings()
    helpline = make_helpline(engine, clock, seed=5, settings=settings)
    return Desk(settings, engine, clock=clock, passwords=Passwords(CHEAP), helpline=helpline)


def add_officer(
    desk: Desk,
    telegram_id: int,
    agency: str,
    name: str,
    role: str = "officer",
    username: str | None = None,
    enrolled: bool = True,
) -> str:
    """Registers the officer and a console account; returns the username. ``enrolled``: the
    authenticator is already set up (its secret is read back with ``totp_secret``)."""
    username = username or f"u{telegram_id}"
    with UnitOfWork(desk.db) as uow:
        staff = uow.staff.add(telegram_id, agency, name, desk.clock())
        repo = DeskRepository(uow.session)
        account = repo.set_password(staff, username, desk.passwords.hash(PASSWORD), role, desk.clock())
        if enrolled:
            repo.start_enrolment(account, pyotp.random_base32())
            account.totp_confirmed_at = desk.clock()
        uow.commit()
    return username


def totp_secret(desk: Desk, username: str) -> str:
    with UnitOfWork(desk.db) as uow:
        account = DeskRepository(uow.session).account_by_username(username)
        assert account is not None and account.totp_secret
        return account.totp_secret


def code_for(desk: Desk, clock: Clock, username: str) -> str:
    clock.now += timedelta(seconds=31)  # a new time step: each code is accepted once
    return pyotp.TOTP(totp_secret(desk, username)).at(clock.now)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


class Browser:
    """A TestClient that keeps cookies like a browser and reads CSRF tokens from forms."""

    def __init__(self, desk: Desk, clock: Clock) -> None:
        self.desk, self.clock = desk, clock
        self.client = TestClient(create_app(desk), follow_redirects=True)
        self.csrf = ""

    def login(self, username: str, password: str = PASSWORD) -> str:
        page = self.client.get("/login")
        answer = self.client.post(
            "/login", data={"username": username, "password": password, "csrf": csrf_of(page.text)}
        )
        assert answer.status_code == 200, answer.text[:300]
        answer = self.client.post(
            "/login/code",
            data={"code": code_for(self.desk, self.clock, username), "csrf": csrf_of(answer.text)},
        )
        assert answer.status_code == 200 and "/queue" in str(answer.url), answer.text[:300]
        self.csrf = csrf_of(answer.text)
        return answer.text

    def get(self, url: str) -> str:
        answer = self.client.get(url)
        assert answer.status_code == 200, (answer.status_code, answer.text[:300])
        return answer.text

    def post(self, url: str, **data: object) -> str:
        answer = self.client.post(url, data={"csrf": self.csrf, **data})  # type: ignore[dict-item]
        assert answer.status_code == 200, (answer.status_code, answer.text[:300])
        return answer.text


@pytest.fixture
def web(desk: Desk, clock: Clock) -> Iterator[Browser]:
    b = Browser(desk, clock)
    with b.client:
        yield b


def report(desk: Desk, worker: int, category: str = "held") -> str:
    """A person onboards and files a report through the service; its reference."""
    person = Person(desk.helpline, worker)
    onboard(person)
    return file_report(person, category)
