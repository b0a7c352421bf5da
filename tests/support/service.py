"""Driving the application service (``bot.service.Helpline``) over a real database as people and
officers do: a controllable clock, the ``helpline`` fixture with two agency staff chats, a Person
who presses buttons by choice id, onboarding, a filed report and a registered officer.

Shared by the service, privacy, console, care and wording tests; the engine-level equivalents (the
scripted Chat) are in tests/support/steps.py."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.config import Settings
from bot.outgoing import Outgoing
from bot.service import Helpline
from flows.incoming import ChoiceIn, CommandIn, Incoming, TextIn
from storage.uow import UnitOfWork

KP2MI_CHAT = -1001
PPA_CHAT = -1002
WORKER = 5001
OFFICER = 7001


class Clock:
    """Starts at 07:00 UTC on 23 November 2026 and moves one second on at every reading."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def staff_settings(**values: Any) -> Settings:
    """Settings with both agency staff chats and nothing from the environment file."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        helpline_staff_chat_kp2mi=KP2MI_CHAT,
        helpline_staff_chat_ppa_ppo=PPA_CHAT,
        **values,
    )


def make_helpline(
    db: Engine, clock: Clock | None = None, seed: int = 11, settings: Settings | None = None
) -> Helpline:
    """The service (with ``staff_settings()`` unless told) on seeded random bytes and counted ids,
    so that references and ids are the same on every run."""
    rng = random.Random(seed)
    counter = iter(range(1, 10**9))
    return Helpline(
        db,
        settings or staff_settings(),
        clock=clock or Clock(),
        random_bytes=rng.randbytes,
        new_id=lambda: f"n{next(counter)}",
    )


@pytest.fixture
def helpline(engine: Engine) -> Iterator[Helpline]:
    """Needs the parametrized ``engine`` fixture of tests/storage/conftest.py in the using module."""
    yield make_helpline(engine)


class Person:
    """Plays one Telegram user against the service, pressing buttons by choice id."""

    def __init__(self, helpline: Helpline, telegram_id: int) -> None:
        self.h, self.id, self.last = helpline, telegram_id, list[Outgoing]()
        self.update = telegram_id * 1000

    def send(self, incoming: Incoming, reply_to: int | None = None) -> list[Outgoing]:
        self.update += 1
        self.last = self.h.handle(self.id, incoming, update_id=self.update, reply_to_message_id=reply_to)
        return self.last

    def press(self, choice: str) -> list[Outgoing]:
        for message in reversed(self.last):
            for row in message.buttons:
                for _, data in row:
                    if data.split(".", 1)[1] == choice:
                        return self.send(ChoiceIn(data))
        raise AssertionError(f"no button {choice} in {[m.buttons for m in self.last]}")


def onboard(person: Person, lang: str = "en") -> None:
    person.send(CommandIn("start"))
    person.send(ChoiceIn(f"g.lang.{lang}"))
    person.press("agree")
    person.press("worker")


def file_report(person: Person, category: str = "held") -> str:
    """A report about oneself in Malaysia (no danger now, chat only); returns its reference."""
    person.send(CommandIn("lapor"))
    person.press(category)
    person.press("no")
    person.press("self")
    person.press("MY")
    person.send(TextIn("Johor Bahru"))
    person.send(TextIn("My passport is kept by the employer <b>"))
    person.press("skip")
    person.press("chat")
    out = person.press("send")
    ref = out[0].ticket_ref
    assert ref is not None and ref.startswith("PMI-")
    return ref


def add_officer(
    helpline: Helpline, telegram_id: int = OFFICER, agency: str = "ppa-ppo", name: str = "Bripka A."
) -> None:
    """Registers an officer of ``agency`` (as ``helpline staff add`` does)."""
    with UnitOfWork(helpline.db) as uow:
        uow.staff.add(telegram_id, agency, name, helpline.clock())
        uow.commit()
