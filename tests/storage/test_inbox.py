"""Stored updates (storage/inbox.py) on SQLite and PostgreSQL, and the webhook's use of them for
updates the library cannot read (bot/delivery/webhook.py ``handle_update``): kept while in hand,
removed once handled, since in webhook mode no poller ever removes them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
from sqlalchemy import Engine, text

from bot.delivery.webhook import MAX_UPDATE_ID, handle_update
from storage.inbox import Inbox
from tests.storage.conftest import NOW

NAME = "Siti Rahayu"


def update(update_id: int, **message: Any) -> dict[str, Any]:
    chat = {"id": 7, "type": "private", "first_name": NAME}
    return {"update_id": update_id, "message": {"message_id": 1, "date": 0, "chat": chat, **message}}


def parse(raw: Mapping[str, Any]) -> str:
    """A library that knows no gifts and reads only texts."""
    message = raw["message"]
    if "gift" in message or "text" not in message:
        raise TypeError("unknown field")
    return str(message["text"])


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


async def test_the_webhook_keeps_an_unreadable_update_while_in_hand_and_removes_it(engine: Engine) -> None:
    inbox = Inbox(engine)
    inbox.store([(3, json.dumps(update(3, text="polled, not yet handled")))], NOW)
    seen: list[tuple[str, list[int]]] = []
    synced: list[list[int]] = []

    async def process(words: str) -> None:
        seen.append((words, [uid for uid, _ in inbox.pending()]))

    async def sync() -> None:
        synced.append([uid for uid, _ in inbox.pending()])

    await handle_update(update(10, text="/darurat", gift={}), parse, process, inbox=inbox, sync=sync)
    assert seen == [("/darurat", [3, 10])]  # handled from its core fields, kept meanwhile
    await handle_update(update(11, gift={"name": NAME}), parse, process, inbox=inbox, sync=sync)
    assert len(seen) == 1  # nothing for the core
    await handle_update(update(12, text="halo"), parse, process, inbox=inbox, sync=sync)
    assert seen[1] == ("halo", [3])  # read whole: never stored
    assert synced == [[3, 10], [3, 11], [3]]  # removed only once on disk
    assert [uid for uid, _ in inbox.pending()] == [3]  # the poller's own row untouched


async def test_a_failed_handling_leaves_the_update_kept_until_telegram_delivers_it_again(
    engine: Engine,
) -> None:
    inbox = Inbox(engine)
    calls: list[str] = []

    async def process(words: str) -> None:
        calls.append(words)
        if len(calls) == 1:
            raise RuntimeError("the database went away")

    unreadable = update(20, text="/darurat", gift={})
    with pytest.raises(RuntimeError):
        await handle_update(unreadable, parse, process, inbox=inbox, sync=None)
    assert [uid for uid, _ in inbox.pending()] == [20]
    await handle_update(unreadable, parse, process, inbox=inbox, sync=None)  # after the 500
    assert calls == ["/darurat", "/darurat"]
    assert inbox.pending() == []
