"""A getUpdates batch the library refuses whole (bot/delivery/polling.py, ``Refused``): read one
update at a time, every update stored, what the core can handle handled, the rest forgotten, and
the batch confirmed. The e2e test (tests/e2e/test_polling_unreadable.py) runs it on both
libraries."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.delivery import polling
from storage.db import make_engine, migrate
from storage.inbox import Inbox

SECRET_WORDS = "majikan menahan paspor"


def update(update_id: int, person: int, **fields: Any) -> dict[str, Any]:
    chat = {"id": person, "type": "private"}
    sender = {"id": person, "is_bot": False, "first_name": "A"}
    return {
        "update_id": update_id,
        "message": {"message_id": update_id, "date": 0, "chat": chat, "from": sender, **fields},
    }


def parse(raw: Mapping[str, Any]) -> str:
    """A library that knows no gifts and reads only texts."""
    message = raw["message"]
    if "gift" in message or "text" not in message:
        raise TypeError("unknown field")
    return f"{message['from']['id']}:{message['text']}"


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    migrate(engine)
    return engine


async def test_a_refused_batch_is_read_one_by_one_stored_and_confirmed(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    batch: list[Any] = [
        update(10, 7, gift={"name": SECRET_WORDS}),  # nothing the core can handle
        update(11, 7, text="/darurat"),
        update(12, 8, text="halo"),
        update(13, 7, text=SECRET_WORDS, gift={}),  # a text the library cannot read whole
        {"message": {"text": SECRET_WORDS}},  # no update id: nothing Telegram sends
        "not an update",
    ]
    offsets: list[int | None] = []
    stored_at_fetch: list[list[int]] = []
    handled: list[str] = []
    inbox = Inbox(engine)
    stop = asyncio.Event()

    async def fetch(offset: int | None, wait: int) -> Sequence[tuple[Mapping[str, Any], str]]:
        offsets.append(offset)
        stored_at_fetch.append([uid for uid, _ in inbox.pending()])
        await asyncio.sleep(0.001)
        if offset is None:
            raise polling.Refused(batch)
        if len(handled) == 3 and not inbox.pending():
            stop.set()
        return []

    async def handle(update: str) -> None:
        handled.append(update)

    source = polling.Source(fetch, parse, handle, lambda u: u.split(":")[0], lambda exc: True)
    with caplog.at_level(logging.INFO):
        await asyncio.wait_for(polling.poll(source, inbox, stop, workers=2), 30)

    assert sorted(handled) == ["7:/darurat", f"7:{SECRET_WORDS}", "8:halo"]
    assert handled.index("7:/darurat") < handled.index(f"7:{SECRET_WORDS}")  # one person in order
    # Confirmed once stored, all four; each forgotten once handled (the gift at once).
    assert offsets[1] == 14 and set(offsets[1:]) == {14}
    assert stored_at_fetch[1] in ([10, 11, 12, 13], [11, 12, 13])
    assert inbox.pending() == []
    log = caplog.text
    assert "update=10 kind=message" in log and "stored, not handled" in log
    assert "update=13 kind=message" in log and "handled from its core fields" in log
    assert "getUpdates entry 4 has no usable update_id" in log
    assert "getUpdates entry 5 has no usable update_id" in log
    assert SECRET_WORDS not in log


async def test_a_refused_batch_of_nothing_readable_is_still_confirmed(engine: Engine) -> None:
    offsets: list[int | None] = []
    inbox = Inbox(engine)
    stop = asyncio.Event()

    async def fetch(offset: int | None, wait: int) -> Sequence[tuple[Mapping[str, Any], str]]:
        offsets.append(offset)
        await asyncio.sleep(0.001)
        if offset is None:
            raise polling.Refused([update(20, 7, gift={}), update(21, 8, gift={})])
        stop.set()
        return []

    async def handle(update: str) -> None:
        raise AssertionError("nothing here can be handled")

    source = polling.Source(fetch, parse, handle, lambda u: u, lambda exc: True)
    await asyncio.wait_for(polling.poll(source, inbox, stop), 30)
    assert offsets == [None, 22]
    assert inbox.pending() == []  # stored, then forgotten at the stop
