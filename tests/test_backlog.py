"""Long polling through the stored backlog (bot/delivery/polling.py, bot/delivery/backlog.py), group
commit (storage/db.py, bot/delivery/durable.py) and the sender's use of the overall limit."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from bot.delivery import durable as durable_module
from bot.delivery import polling
from bot.delivery.backlog import Backlog, urgent
from bot.delivery.durable import GroupCommit
from bot.delivery.limiter import Limits, RateLimiter
from bot.delivery.sender import OutboxSender
from storage import crypto, db
from storage.db import flush_commits, groups_commits, make_engine, migrate
from storage.inbox import Inbox
from storage.outbox import Queued
from storage.uow import UnitOfWork

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def message(update_id: int, person: int, text: str, chat_type: str = "private") -> dict[str, Any]:
    chat = {"id": person if chat_type == "private" else -100, "type": chat_type}
    sender = {"id": person, "is_bot": False, "first_name": "A"}
    return {
        "update_id": update_id,
        "message": {"message_id": update_id, "date": 0, "chat": chat, "from": sender, "text": text},
    }


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'b.db'}", group_commit=True)
    migrate(engine)
    return engine


async def drained(backlog: Backlog[Any]) -> None:
    for _ in range(5000):
        if not backlog.size:
            return
        await asyncio.sleep(0.001)
    raise AssertionError("the backlog was not handled")


def test_danger_words_darurat_and_the_emergency_button_are_urgent() -> None:
    assert urgent(message(1, 5, "tolong saya disekap"))
    assert urgent(message(1, 5, "/darurat"))
    assert urgent(message(1, 5, "/emergency"))
    assert urgent({"update_id": 1, "callback_query": {"id": "q", "data": "g.darurat"}})
    assert not urgent(message(1, 5, "tolong, saya mau tanya"))  # "tolong" alone is a polite word
    assert not urgent(message(1, 5, "/lapor"))
    assert not urgent(message(1, 5, "disekap", chat_type="supergroup"))  # staff chatter
    assert not urgent({"update_id": 1, "callback_query": {"id": "q", "data": "g.menu"}})
    assert not urgent({"update_id": 1})


async def test_a_person_in_danger_goes_first_and_everyone_keeps_their_order() -> None:
    backlog: Backlog[str] = Backlog()
    handled: list[str] = []

    async def handle(update: str) -> None:
        handled.append(update)
        await asyncio.sleep(0)

    arrivals = [
        ("a1", "A", False),
        ("b1", "B", False),
        ("a2", "A", False),
        ("c1", "C", False),
        ("a3", "A", False),
        ("c2", "C", True),
        ("b2", "B", False),
    ]
    for number, (update, person, is_urgent) in enumerate(arrivals):
        await backlog.add(number, update, person, is_urgent)
    worker = asyncio.create_task(backlog.work(handle))
    await drained(backlog)
    await backlog.stop()
    await worker
    # C's "halo" before C's emergency, both before everyone else; then the others in turn.
    assert handled == ["c1", "c2", "a1", "b1", "a2", "b2", "a3"]
    assert sorted(backlog.take_handled()) == list(range(7))


async def test_while_paused_only_people_in_danger_are_served() -> None:
    backlog: Backlog[str] = Backlog(paused_workers=0)
    handled: list[str] = []

    async def handle(update: str) -> None:
        handled.append(update)

    await backlog.pause(True)
    worker = asyncio.create_task(backlog.work(handle))
    await backlog.add(1, "a1", "A", False)
    await backlog.add(2, "b1", "B", False)
    await backlog.add(3, "b2", "B", True)
    for _ in range(20):
        await asyncio.sleep(0)
    assert handled == ["b1", "b2"]  # B's earlier message first: their order holds
    await backlog.pause(False)
    await drained(backlog)
    await backlog.stop()
    await worker
    assert handled == ["b1", "b2", "a1"]


async def test_while_paused_one_ordinary_update_at_a_time_and_danger_does_not_wait() -> None:
    backlog: Backlog[str] = Backlog(paused_workers=1)
    running: set[str] = set()
    most = 0
    handled: list[str] = []
    release = asyncio.Event()

    async def handle(update: str) -> None:
        nonlocal most
        running.add(update)
        most = max(most, len({u for u in running if not u.startswith("x")}))
        if update == "a1":
            await release.wait()  # the one ordinary slot is held
        await asyncio.sleep(0.001)
        handled.append(update)
        running.discard(update)

    await backlog.pause(True)
    workers = [asyncio.create_task(backlog.work(handle)) for _ in range(4)]
    for number, person in enumerate("abcd"):
        await backlog.add(number, f"{person}1", person, False)
    await backlog.add(9, "x1", "x", True)  # danger words while the slot is taken
    for _ in range(50):
        await asyncio.sleep(0.001)
    assert handled == ["x1"]  # served at once; b, c, d wait for a1's slot
    release.set()
    await drained(backlog)  # still paused: the freed slot passes to the next, one by one
    await backlog.stop()
    await asyncio.gather(*workers)
    assert handled == ["x1", "a1", "b1", "c1", "d1"]
    assert most == 1


async def test_after_a_full_batch_the_next_fetch_does_not_wait(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A long poll right after the last full batch held the paused backlog for 10 s with
    # nothing left at Telegram (seen in the end-to-end benchmark).
    monkeypatch.setattr(polling, "FULL_BATCH", 2)
    handled: list[str] = []
    waits: list[int] = []
    telegram = FakeTelegram([message(10 + n, 7, f"A{n}") for n in range(4)], handled)

    async def fetch(offset: int | None, wait: int) -> Sequence[tuple[Mapping[str, Any], str]]:
        waits.append(wait)
        return await telegram.fetch(offset, Inbox(engine))

    async def handle(update: str) -> None:
        handled.append(update)

    stop = asyncio.Event()
    source = polling.Source(fetch, lambda raw: str(raw["message"]["text"]), handle, person, lambda exc: False)
    task = asyncio.create_task(polling.poll(source, Inbox(engine), stop, workers=2))
    for _ in range(2000):
        if len(handled) == 4 and len(waits) >= 4:
            break
        await asyncio.sleep(0.005)
    stop.set()
    await task
    assert handled == ["A0", "A1", "A2", "A3"]
    # Two full batches, then an empty answer asked for without waiting, then long polls again.
    assert waits[:4] == [polling.LONG_POLL, 0, 0, polling.LONG_POLL]


async def test_one_person_never_runs_twice_at_once() -> None:
    backlog: Backlog[tuple[str, int]] = Backlog()
    running: set[str] = set()
    seen: list[tuple[str, int]] = []

    async def handle(update: tuple[str, int]) -> None:
        person = update[0]
        assert person not in running
        running.add(person)
        await asyncio.sleep(0.001 * (update[1] % 3))
        seen.append(update)
        running.discard(person)

    for n in range(60):
        await backlog.add(n, (f"p{n % 4}", n), f"p{n % 4}", n % 7 == 0)
    workers = [asyncio.create_task(backlog.work(handle)) for _ in range(8)]
    await drained(backlog)
    await backlog.stop()
    await asyncio.gather(*workers)
    for person in ("p0", "p1", "p2", "p3"):
        mine = [n for p, n in seen if p == person]
        assert mine == sorted(mine)


class FakeTelegram:
    """getUpdates over a list of raw updates: what is below the offset is confirmed and gone."""

    def __init__(self, updates: list[dict[str, Any]], handled: list[str]) -> None:
        self.pending = list(updates)
        self.handled = handled
        self.offsets: list[int | None] = []
        self.kept_at_fetch: list[set[int]] = []  # stored or already handled, when fetching

    async def fetch(self, offset: int | None, inbox: Inbox) -> Sequence[tuple[Mapping[str, Any], str]]:
        self.offsets.append(offset)
        done = {10 + int(text[1:]) for text in self.handled}
        self.kept_at_fetch.append(set(inbox.ids()) | done)
        if offset is not None:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        await asyncio.sleep(0.001)
        return [(u, u["message"]["text"]) for u in self.pending[:2]]


def person(update: str) -> str:
    return update[0]


async def run_polling(
    telegram: FakeTelegram, inbox: Inbox, handle: Any, until: Any, engine: Engine, on_stop: Any = None
) -> None:
    stop = asyncio.Event()
    source = polling.Source(
        lambda offset, wait: telegram.fetch(offset, inbox),
        lambda raw: str(raw["message"]["text"]),
        handle,
        person,
        lambda exc: False,
    )
    commits = GroupCommit(engine)
    task = asyncio.create_task(polling.poll(source, inbox, stop, durable=commits.sync, workers=2))
    for _ in range(2000):
        if until():
            break
        await asyncio.sleep(0.005)
    stop.set()
    await asyncio.sleep(0.01)
    if on_stop is not None:
        on_stop()
    await task


async def test_batches_are_stored_before_they_are_confirmed_and_survive_a_stop(engine: Engine) -> None:
    updates = [message(10 + n, 7, f"{'AB'[n % 2]}{n}") for n in range(5)]
    handled: list[str] = []
    telegram = FakeTelegram(updates, handled)
    inbox = Inbox(engine)
    gate = asyncio.Event()

    async def slow(update: str) -> None:
        if update.startswith("B"):
            await gate.wait()  # person B is slow: their second update is still waiting at stop
        handled.append(update)

    def all_fetched() -> bool:
        return telegram.offsets[-1:] == [15] and len(handled) >= 3

    await run_polling(telegram, inbox, slow, all_fetched, engine, on_stop=gate.set)
    # Each offset that confirmed updates was asked for only once they were stored.
    for offset, kept in zip(telegram.offsets, telegram.kept_at_fetch, strict=True):
        if offset is not None:
            assert set(range(10, offset)) <= kept
    # A's updates were handled; B's first one was in hand at the stop and was finished.
    assert handled == ["A0", "A2", "A4", "B1"]
    # B's second, confirmed to Telegram but not handled, is still stored...
    assert [uid for uid, _ in inbox.pending()] == [13]
    # ... and handled on the next start, before anything new of the same person.
    telegram.pending = [message(20, 7, "B10")]
    await run_polling(telegram, inbox, slow, lambda: len(handled) >= 6, engine)
    assert handled[4:] == ["B3", "B10"]
    assert inbox.pending() == []


async def test_a_stored_update_that_cannot_be_read_does_not_keep_polling_from_starting(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = Inbox(engine)
    inbox.store([(30 + n, json.dumps(message(30 + n, 8 + n, f"C{n}"))) for n in range(3)], NOW)
    decode = crypto.decode

    def cannot_decrypt(value: str, keyring: Any) -> str:
        if "C1" in value:  # as a row encrypted with a key this process does not have
            raise ValueError("cannot decrypt")
        return decode(value, keyring)

    monkeypatch.setattr(crypto, "decode", cannot_decrypt)
    handled: list[str] = []

    async def handle(update: str) -> None:
        handled.append(update)

    telegram = FakeTelegram([], handled)
    await run_polling(telegram, inbox, handle, lambda: len(handled) >= 2, engine)
    assert sorted(handled) == ["C0", "C2"]
    assert inbox.ids() == [31]  # left stored, for an operator


def test_group_commit_engine_syncs_the_wal_on_flush(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    assert groups_commits(engine)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
    synced: list[int] = []
    monkeypatch.setattr(db.os, "fsync", lambda fd: synced.append(fd))
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    flush_commits(engine)
    assert len(synced) == 1
    plain = make_engine(f"sqlite:///{Path(str(engine.url.database)).parent / 'p.db'}")
    assert not groups_commits(plain)
    with plain.connect() as connection:
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
    flush_commits(plain)
    assert len(synced) == 1


async def test_concurrent_syncs_share_flushes(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    flushes: list[int] = []

    def flush(_engine: Engine) -> None:
        flushes.append(1)
        os.sched_yield()

    monkeypatch.setattr(durable_module, "flush_commits", flush)
    commits = GroupCommit(engine)
    await asyncio.gather(*(commits.sync() for _ in range(20)))
    assert 1 <= len(flushes) <= 2
    await commits.sync()  # a later call always gets a flush of its own
    assert len(flushes) <= 3 and flushes


def test_room_under_the_overall_limit() -> None:
    now = [0.0]
    limiter = RateLimiter(Limits(overall=(3, 1.0)), clock=lambda: now[0])
    assert limiter.room() == (3, 0.0)
    limiter.record(1)
    limiter.record(2)
    assert limiter.room() == (1, 0.0)
    limiter.record(3)
    assert limiter.room() == (0, 1.0)
    now[0] = 1.0
    assert limiter.room() == (3, 0.0)
    limiter.flood(1, 5)
    limiter.flood(2, 5)  # two chats refused at once: everything waits
    assert limiter.room() == (0, 5.0)


async def test_the_sender_claims_only_what_the_overall_limit_lets_through(engine: Engine) -> None:
    class Transport:
        def __init__(self) -> None:
            self.sent: list[int] = []

        async def send_text(self, chat_id: int, text: str, *, reply_to: Any, buttons: Any) -> int:
            self.sent.append(chat_id)
            return len(self.sent)

    with UnitOfWork(engine) as uow:
        for chat in range(1, 11):
            uow.users.get_or_create(chat, NOW)
        uow.outbox.enqueue_many([Queued(chat, {"text": "hi"}, 5) for chat in range(1, 11)], NOW)
        uow.commit()
    transport = Transport()
    sender = OutboxSender(transport, engine, RateLimiter(Limits(overall=(4, 60.0))))  # type: ignore[arg-type]
    assert await sender.drain_once() == 4
    assert await sender.drain_once() == 0  # the limit is used up: nothing claimed
    with UnitOfWork(engine) as uow:
        assert uow.outbox.pending_count() == 6
        # None of the six was leased (claimed and set aside for 60 s).
        assert len(uow.outbox.due(datetime.now(UTC), 100)) == 6
    assert transport.sent == [1, 2, 3, 4]
