"""Stored updates (storage/inbox.py) on SQLite and PostgreSQL, and the webhook's use of them: every
update stored before the answer (bot/delivery/webhook.py ``receive``), handled by one process, a
person in danger first and each person's in order, then removed (bot/delivery/stored.py)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

import pytest
from sqlalchemy import Engine, text

from bot.delivery.stored import Handling, handle_stored
from bot.delivery.webhook import MAX_UPDATE_ID, receive
from storage import crypto
from storage.inbox import Inbox
from tests.storage.conftest import NOW

NAME = "Siti Rahayu"


def update(update_id: int, person: int = 7, **message: Any) -> dict[str, Any]:
    chat = {"id": person, "type": "private", "first_name": NAME}
    sender = {"id": person, "is_bot": False, "first_name": NAME}
    body = {"message_id": 1, "date": 0, "chat": chat, "from": sender, **message}
    return {"update_id": update_id, "message": body}


def parse(raw: Mapping[str, Any]) -> tuple[int, str]:
    """A library that knows no gifts and reads only texts: (person, words)."""
    message = raw["message"]
    if "gift" in message or "text" not in message:
        raise TypeError("unknown field")
    return int(message["from"]["id"]), str(message["text"])


def test_updates_are_stored_once_oldest_first_and_forgotten(engine: Engine) -> None:
    inbox = Inbox(engine)
    big = json.dumps(update(MAX_UPDATE_ID, text=f"{NAME} 🙏 " * 2_000), ensure_ascii=False)
    inbox.store([(MAX_UPDATE_ID, big), (5, "{}")], NOW)
    inbox.store([(5, '{"again": 1}')], NOW)  # delivered again after a crash: stored once
    assert inbox.pending() == [(5, "{}"), (MAX_UPDATE_ID, big)]
    inbox.forget([MAX_UPDATE_ID, 6])
    assert inbox.pending() == [(5, "{}")]
    with engine.connect() as connection:
        assert list(connection.execute(text("SELECT update_id FROM incoming_updates")).scalars()) == [5]


async def test_the_webhook_stores_every_update_before_its_answer_and_once(engine: Engine) -> None:
    inbox = Inbox(engine)
    synced: list[list[int]] = []
    stored = asyncio.Event()

    async def sync() -> None:
        synced.append(inbox.ids())

    await receive(update(10, text="/darurat", gift={}), inbox, sync=sync, stored=stored)
    assert stored.is_set()
    await receive(update(10, text="/darurat", gift={}), inbox, sync=sync)  # delivered again
    await receive(update(11, text="halo"), inbox, sync=sync)
    assert synced == [[10], [10], [10, 11]]  # on disk before each answer
    [(uid, payload)] = inbox.some([10, 99])
    assert (uid, json.loads(payload)) == (10, update(10, text="/darurat", gift={}))  # whole, as sent


async def run_handler(
    engine: Engine, handled: list[tuple[int, str]], *, until: int, workers: int = 4
) -> list[int]:
    """Handles what is stored until ``until`` updates were handled; the ids left stored."""
    inbox = Inbox(engine)
    stop = asyncio.Event()

    async def handle(item: tuple[int, str]) -> None:
        await asyncio.sleep(0.01)  # long enough for later updates to be seen meanwhile
        handled.append(item)
        if len(handled) >= until:
            stop.set()
            await asyncio.sleep(0.1)  # the handler stops its backlog before this one is done

    source = Handling(parse, handle, key=lambda item: item[0])
    await asyncio.wait_for(handle_stored(source, inbox, stop, workers=workers, interval=0.01), 30)
    return inbox.ids()


async def test_the_handler_serves_danger_first_each_person_in_order_and_removes_what_it_handled(
    engine: Engine,
) -> None:
    inbox = Inbox(engine)
    # As three processes commit them: not in update-id order across people, in order per person.
    rows = [(30, update(30, 1, text="halo")), (21, update(21, 2, text="halo"))]
    rows += [(22, update(22, 2, text="apa kabar")), (31, update(31, 1, text="tolong saya disekap"))]
    rows += [(23, update(23, 3, gift={"name": NAME}))]  # nothing the core can read: removed
    rows += [(24, update(24, 3, text="/darurat", gift={}))]  # readable in part: handled from its core
    inbox.store([(uid, json.dumps(raw)) for uid, raw in rows], NOW)
    handled: list[tuple[int, str]] = []
    left = await run_handler(engine, handled, until=5, workers=1)
    # One worker: the people with danger words first (/darurat, then "disekap", in the order the
    # danger was seen), each person's updates in their order; the ordinary person last.
    assert handled == [
        (3, "/darurat"),
        (1, "halo"),
        (1, "tolong saya disekap"),
        (2, "halo"),
        (2, "apa kabar"),
    ]
    assert left == []


async def test_a_handler_stopped_midway_leaves_the_rest_stored_for_the_next(engine: Engine) -> None:
    inbox = Inbox(engine)
    inbox.store([(40 + n, json.dumps(update(40 + n, 9, text=f"pesan {n}"))) for n in range(6)], NOW)
    first: list[tuple[int, str]] = []
    left = await run_handler(engine, first, until=2, workers=1)
    assert first == [(9, "pesan 0"), (9, "pesan 1")]
    assert left == [42, 43, 44, 45]  # what was in hand was finished, the rest waits
    second: list[tuple[int, str]] = []
    assert await run_handler(engine, second, until=4) == []
    assert second == [(9, f"pesan {n}") for n in range(2, 6)]


async def test_an_update_that_cannot_be_read_is_set_aside_and_the_others_are_handled(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    inbox = Inbox(engine)
    inbox.store([(50 + n, json.dumps(update(50 + n, 10 + n, text=f"pesan {n}"))) for n in range(3)], NOW)
    decode = crypto.decode

    def cannot_decrypt(value: str, keyring: Any) -> str:
        if "pesan 1" in value:  # as a row encrypted with a key this process does not have
            raise ValueError("cannot decrypt")
        return decode(value, keyring)

    monkeypatch.setattr(crypto, "decode", cannot_decrypt)
    handled: list[tuple[int, str]] = []
    assert await run_handler(engine, handled, until=2) == [51]  # left stored, for an operator
    assert sorted(handled) == [(10, "pesan 0"), (12, "pesan 2")]
    assert "stored update=51 cannot be read, left stored" in caplog.text


async def test_a_burst_of_local_stores_does_not_make_the_handler_spin(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every update this process's webhook stores wakes the handler; in a burst that is every few
    milliseconds. With the floor, at most one look (a read of every stored id) per 10 ms: 50 in
    this half second, where without it (floor=0) there were 660 on SQLite."""
    floor = 0.01
    inbox = Inbox(engine)
    looks = 0
    ids = inbox.ids

    def counted() -> list[int]:
        nonlocal looks
        looks += 1
        return ids()

    monkeypatch.setattr(inbox, "ids", counted)
    stop, stored = asyncio.Event(), asyncio.Event()

    async def burst() -> None:
        until = asyncio.get_running_loop().time() + 0.5
        while asyncio.get_running_loop().time() < until:
            stored.set()
            await asyncio.sleep(0)
        stop.set()

    async def nothing(item: tuple[int, str]) -> None:
        return None

    source = Handling(parse, nothing, key=lambda item: item[0])
    await asyncio.gather(burst(), handle_stored(source, inbox, stop, stored=stored, floor=floor))
    assert 3 <= looks <= 0.5 / floor + 2
