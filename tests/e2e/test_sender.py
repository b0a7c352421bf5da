"""The outbox sender against the fake Bot API: priority, long texts, cards, /hapus deleting a
chat, and Telegram's errors (429, 403, 5xx), through each library's transport. Runs in-process
for speed; the bot process tests cover the wiring."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot as AiogramBot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import Engine
from sqlmodel import col, select
from telegram import Bot as PtbBot

from bot.aiogram_rt.transport import AiogramTransport
from bot.delivery.limiter import Limits, RateLimiter
from bot.delivery.sender import OutboxSender
from bot.delivery.split import split_text
from bot.delivery.transport import Transport
from bot.outgoing import Outgoing
from bot.ptb.transport import PtbTransport
from storage.db import make_engine, migrate
from storage.outbox import Queued
from storage.tables import OutboxRow, UserRow
from storage.uow import UnitOfWork
from tests.fakebotapi.server import Call, FakeBotApi

GROUP = -1001000000009
FAST = Limits(private_burst=50, private_per_second=50.0)
# How long a loop waits for the outcome before the assertion after it fails: generous, because a
# loaded CI machine may take seconds per round; the loops end as soon as the outcome is there.
WAIT = 30.0


@pytest.fixture(autouse=True)
def timedelta_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    """As run_bot does: python-telegram-bot's future periods, without deprecation warnings."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    migrate(engine)
    return engine


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        for user in (1, 2, 3, 4):
            fake.add_private_chat(user)
        fake.add_group(GROUP, "staff")
        yield fake


@pytest.fixture(params=["python-telegram-bot", "aiogram"])
async def bot(api: FakeBotApi, request: pytest.FixtureRequest) -> AsyncIterator[Transport]:
    if request.param == "aiogram":
        session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url))
        async with AiogramBot(api.token, session=session) as aiogram_bot:
            yield AiogramTransport(aiogram_bot)
        return
    async with PtbBot(
        api.token, base_url=f"{api.base_url}/bot", base_file_url=f"{api.base_url}/file/bot"
    ) as ptb_bot:
        yield PtbTransport(ptb_bot)


def queue(engine: Engine, *messages: Outgoing) -> None:
    now = datetime.now(UTC)
    with UnitOfWork(engine) as uow:
        for m in messages:
            if m.chat_id > 0:
                uow.users.get_or_create(m.chat_id, now)
            uow.outbox.enqueue(m.chat_id, m.payload(), m.priority, now, kind=m.kind, ticket_ref=m.ticket_ref)
        uow.commit()


def queue_as_the_bot(engine: Engine, *messages: Outgoing) -> None:
    """As Helpline.queue does: one row per piece of a long text."""
    now = datetime.now(UTC)
    with UnitOfWork(engine) as uow:
        uow.outbox.enqueue_many(
            [
                Queued(p.chat_id, p.payload(), p.priority, p.kind, p.ticket_ref)
                for m in messages
                for p in m.pieces()
            ],
            now,
        )
        uow.commit()


def rows(engine: Engine) -> list[OutboxRow]:
    with UnitOfWork(engine) as uow:
        return list(uow.session.exec(select(OutboxRow).order_by(col(OutboxRow.id))))


def sent_texts(api: FakeBotApi) -> list[str]:
    return [c.params["text"] for c in api.sent(method="sendMessage") if c.ok]


async def test_emergency_goes_first_and_long_text_is_split(
    api: FakeBotApi, bot: Transport, engine: Engine
) -> None:
    long = "\n".join(f"line {i} " + "x" * 90 for i in range(100))  # about 9,800 characters
    queue(
        engine,
        Outgoing(2, "ordinary"),
        Outgoing(3, long, ((("OK", "g.ok"),),)),
        Outgoing(1, "<b>darurat</b>", priority=0, kind="emergency"),
    )
    sender = OutboxSender(bot, engine, RateLimiter(FAST))
    assert await sender.drain_once() == 3
    texts = sent_texts(api)
    assert texts[0] == "<b>darurat</b>"
    pieces = [c for c in api.sent(3, "sendMessage")]
    assert len(pieces) == 3
    assert all(len(c.params["text"]) <= 4096 for c in pieces)
    assert "reply_markup" in pieces[-1].params and "reply_markup" not in pieces[0].params
    assert "".join(c.params["text"] for c in pieces) == long  # each cut after a line break
    assert all(r.sent_at is not None for r in rows(engine))


@pytest.mark.parametrize("status", [429, 500])
async def test_a_piece_telegram_refuses_for_now_is_sent_again_alone(
    api: FakeBotApi, bot: Transport, engine: Engine, status: int
) -> None:
    """Piece 2 of 3 is refused once (429 or 500): piece 1 arrives once, piece 2 once after the
    retry, then piece 3 and the next message; /hapus then deletes every piece."""
    long = "\n".join(f"line {i} " + "x" * 90 for i in range(100))
    pieces = split_text(long)
    assert len(pieces) == 3
    api.fail_next("sendMessage", status, retry_after=1, contains=pieces[1].splitlines()[0])
    queue_as_the_bot(engine, Outgoing(1, long, ((("OK", "g.ok"),),)), Outgoing(1, "after"))
    sender = OutboxSender(bot, engine, RateLimiter(FAST), base_backoff=0.1)
    started = time.monotonic()
    while len(sent_texts(api)) < 4 and time.monotonic() - started < WAIT:
        await sender.drain_once()
        await asyncio.sleep(0.05)
    tried = [c.params["text"] for c in api.sent(1, "sendMessage")]
    assert tried == [pieces[0], pieces[1], pieces[1], pieces[2], "after"]
    assert [c.ok for c in api.sent(1, "sendMessage")] == [True, False, True, True, True]
    history = api.history(1)
    # Each once, in order (Telegram trims the line break a piece was cut after).
    assert [m["text"] for m in history] == [*(p.strip() for p in pieces), "after"]
    assert [bool(m.get("reply_markup")) for m in history] == [False, False, True, False]
    assert [r.attempts for r in rows(engine)] == [0, 1, 0, 0]
    assert deletable(engine, 1) == sorted(ids(history), reverse=True)

    queue_as_the_bot(engine, Outgoing(1, "", priority=1, kind="delete_chat"), Outgoing(1, "Dihapus."))
    await sender.drain_once()
    assert [m["text"] for m in api.history(1)] == ["Dihapus."]
    [call] = api.sent(1, "deleteMessages")
    assert call.ok and deleted(call) == sorted(ids(history), reverse=True)


async def test_card_is_edited_and_notices_are_threaded_under_it(
    api: FakeBotApi, bot: Transport, engine: Engine
) -> None:
    ref = "PMI-AAAA-BBBB"
    card = Outgoing(GROUP, "card v1", ((("Ambil", f"s.take.{ref}"),),), 2, "card", ref, "card")
    queue(engine, card)
    sender = OutboxSender(bot, engine, RateLimiter(FAST))
    await sender.drain_once()
    card_id = api.messages(GROUP)[0]["message_id"]
    queue(
        engine,
        Outgoing(GROUP, "card v2", (), 2, "card_update", ref, "card", edit_card=True),
        Outgoing(GROUP, "Pelapor menulis", kind="notice", ticket_ref=ref, reply_to_card=True),
    )
    await sender.drain_once()
    messages = api.messages(GROUP)
    assert messages[0]["message_id"] == card_id and messages[0]["text"] == "card v2"
    assert messages[1]["reply_to_message"]["message_id"] == card_id


# -- cards longer than one message ------------------------------------------------------------
REF = "PMI-AAAA-BBBB"
TAKE = ((("Ambil", f"s.take.{REF}"),),)
NOTE = f"({REF}: bagian kartu ini sudah tidak dipakai.)"


def card_text(version: str, lines: int) -> str:
    """A card of about 98 characters a line: 10 lines is one message, 60 two, 100 three."""
    return "\n".join(f"{version} line {i} " + "x" * 90 for i in range(lines))


def post_card(engine: Engine, text: str) -> None:
    queue_as_the_bot(engine, Outgoing(GROUP, text, TAKE, 2, "card", REF, "card"))


def edit_card(engine: Engine, text: str) -> None:
    """As Notices.cards queues an edit: split by Helpline.queue, with the note for spares."""
    queue_as_the_bot(
        engine, Outgoing(GROUP, text, TAKE, 2, "card_update", REF, "card", edit_card=True, card_note=NOTE)
    )


async def drain(sender: OutboxSender, engine: Engine) -> None:
    started = time.monotonic()
    while time.monotonic() - started < WAIT:
        await sender.drain_once()
        with UnitOfWork(engine) as uow:
            if not uow.outbox.pending_count():
                return
        await asyncio.sleep(0.05)
    raise AssertionError("the outbox did not drain")


def shown(api: FakeBotApi) -> list[tuple[int, str, bool]]:
    """The group as an officer sees it: each message's id, text and whether it has buttons."""
    return [(m["message_id"], m["text"], bool(m.get("reply_markup"))) for m in api.messages(GROUP)]


def card_as_sent(text: str) -> list[str]:
    return [piece.strip() for piece in split_text(text)]  # Telegram trims the cut's line break


async def test_a_long_card_is_edited_piece_by_piece_in_place(
    api: FakeBotApi, bot: Transport, engine: Engine
) -> None:
    """The known bug: the edit wrote the card's first piece over its last (the id kept for the
    card was the last piece's), so the card's end was gone and its old beginning stayed."""
    sender = OutboxSender(bot, engine, RateLimiter(FAST))
    post_card(engine, card_text("v1", 100))
    await drain(sender, engine)
    before = shown(api)
    assert [text for _, text, _ in before] == card_as_sent(card_text("v1", 100))
    edit_card(engine, card_text("v2", 100))
    await drain(sender, engine)
    after = shown(api)
    assert [message_id for message_id, _, _ in after] == [message_id for message_id, _, _ in before]
    assert [text for _, text, _ in after] == card_as_sent(card_text("v2", 100))
    assert [buttons for _, _, buttons in after] == [False, False, True]
    assert not api.sent(GROUP, "sendMessage")[3:]  # nothing posted anew
    # A note for the ticket is threaded under the card's first piece.
    queue(engine, Outgoing(GROUP, "Pelapor menulis", kind="notice", ticket_ref=REF, reply_to_card=True))
    await drain(sender, engine)
    assert api.messages(GROUP)[-1]["reply_to_message"]["message_id"] == before[0][0]


async def test_a_card_that_grows_gets_its_new_pieces_after_its_last(
    api: FakeBotApi, bot: Transport, engine: Engine
) -> None:
    sender = OutboxSender(bot, engine, RateLimiter(FAST))
    post_card(engine, card_text("v1", 10))
    await drain(sender, engine)
    [(first, _, _)] = shown(api)
    edit_card(engine, card_text("v2", 100))
    await drain(sender, engine)
    after = shown(api)
    assert after[0][0] == first and after[0][0] < after[1][0] < after[2][0]
    assert [text for _, text, _ in after] == card_as_sent(card_text("v2", 100))
    assert [buttons for _, _, buttons in after] == [False, False, True]  # moved to the new end


async def test_a_card_that_shrinks_leaves_a_note_in_the_pieces_it_no_longer_needs(
    api: FakeBotApi, bot: Transport, engine: Engine
) -> None:
    """The surplus pieces are edited to a note, not deleted (Telegram refuses to delete a
    message after 48 hours; a card lives longer), and filled again in place when it grows."""
    sender = OutboxSender(bot, engine, RateLimiter(FAST))
    post_card(engine, card_text("v1", 100))
    await drain(sender, engine)
    ids = [message_id for message_id, _, _ in shown(api)]
    edit_card(engine, card_text("v2", 10))
    await drain(sender, engine)
    assert shown(api) == [(ids[0], card_text("v2", 10), True), (ids[1], NOTE, False), (ids[2], NOTE, False)]
    # Another edit leaves the notes alone: nothing to change there.
    edits = len(api.sent(GROUP, "editMessageText"))
    edit_card(engine, card_text("v3", 10))
    await drain(sender, engine)
    assert len(api.sent(GROUP, "editMessageText")) == edits + 1
    # Growing again uses the spare pieces, in order, before sending any new message.
    edit_card(engine, card_text("v4", 60))
    await drain(sender, engine)
    v4 = card_as_sent(card_text("v4", 60))
    assert shown(api) == [(ids[0], v4[0], False), (ids[1], v4[1], True), (ids[2], NOTE, False)]
    edit_card(engine, card_text("v5", 140))
    await drain(sender, engine)
    v5 = card_as_sent(card_text("v5", 140))
    after = shown(api)
    assert len(v5) == 4 and [text for _, text, _ in after] == v5
    assert [message_id for message_id, _, _ in after][:3] == ids
    assert [buttons for _, _, buttons in after] == [False, False, False, True]
    assert len(api.sent(GROUP, "sendMessage")) == 4  # 3 posted, 1 added


async def test_a_piece_deleted_in_the_group_is_sent_again_after_the_rest(
    api: FakeBotApi, bot: Transport, engine: Engine
) -> None:
    """An administrator deleted the card's second piece: the pieces after it show the note, and
    the card goes on from that piece after the last, so it still reads in order."""
    sender = OutboxSender(bot, engine, RateLimiter(FAST))
    post_card(engine, card_text("v1", 100))
    await drain(sender, engine)
    ids = [message_id for message_id, _, _ in shown(api)]
    await bot.delete_messages(GROUP, [ids[1]])  # as an administrator may
    edit_card(engine, card_text("v2", 100))
    await drain(sender, engine)
    v2 = card_as_sent(card_text("v2", 100))
    after = shown(api)
    assert [(message_id, text) for message_id, text, _ in after[:2]] == [(ids[0], v2[0]), (ids[2], NOTE)]
    assert [text for _, text, _ in after[2:]] == v2[1:] and after[2][0] > ids[2]
    assert [buttons for _, _, buttons in after] == [False, False, False, True]
    # The next edit finds the card as it now is: its first piece and the two sent after.
    edit_card(engine, card_text("v3", 100))
    await drain(sender, engine)
    v3 = card_as_sent(card_text("v3", 100))
    assert [text for _, text, _ in shown(api)] == [v3[0], NOTE, *v3[1:]]
    assert len(api.sent(GROUP, "sendMessage")) == 5


async def test_a_card_edit_refused_for_now_is_retried_alone_and_nothing_is_sent_twice(
    api: FakeBotApi, bot: Transport, engine: Engine
) -> None:
    """A 429 on the edit of piece 2, then a 500 on the new piece 3: each is retried alone,
    piece 1 is not edited again, piece 3 is posted once, and every piece is recorded."""
    sender = OutboxSender(bot, engine, RateLimiter(FAST), base_backoff=0.1)
    post_card(engine, card_text("v1", 60))
    await drain(sender, engine)
    api.fail_next("editMessageText", 429, retry_after=1, contains="v2 line 50 ")
    api.fail_next("sendMessage", 500, contains="v2 line 90 ")
    edit_card(engine, card_text("v2", 100))
    await drain(sender, engine)
    v2 = card_as_sent(card_text("v2", 100))
    assert [text for _, text, _ in shown(api)] == v2
    edited = [c.params["text"].split(" ", 3)[:3] for c in api.sent(GROUP, "editMessageText")]
    assert edited == [["v2", "line", "0"], ["v2", "line", "40"], ["v2", "line", "40"]]
    assert [c.ok for c in api.sent(GROUP, "sendMessage")] == [True, True, False, True]
    assert [r.attempts for r in rows(engine)[2:]] == [0, 1, 1]
    assert [r.telegram_message_id for r in rows(engine)[2:]] == [m["message_id"] for m in api.messages(GROUP)]


async def test_flood_limit_pauses_only_that_chat(api: FakeBotApi, bot: Transport, engine: Engine) -> None:
    api.fail_next("sendMessage", 429, retry_after=1)
    queue(engine, Outgoing(1, "first"), Outgoing(1, "second"), Outgoing(2, "other chat"))
    sender = OutboxSender(bot, engine, RateLimiter(FAST))
    await sender.drain_once()
    assert sent_texts(api) == ["other chat"]
    started = time.monotonic()
    while len(sent_texts(api)) < 3 and time.monotonic() - started < WAIT:
        await sender.drain_once()
    assert sent_texts(api) == ["other chat", "first", "second"]  # order kept within the chat
    assert time.monotonic() - started >= 0.9


async def test_blocked_user_is_recorded_and_not_retried(
    api: FakeBotApi, bot: Transport, engine: Engine
) -> None:
    api.block_user(4, notify=False)
    queue(engine, Outgoing(4, "hello"))
    sender = OutboxSender(bot, engine, RateLimiter(FAST))
    await sender.drain_once()
    await sender.drain_once()
    [row] = rows(engine)
    assert row.failed_at is not None and row.sent_at is None and row.attempts == 1
    with UnitOfWork(engine) as uow:
        user = uow.session.exec(select(UserRow).where(UserRow.telegram_id == 4)).one()
        assert user.blocked_at is not None
    assert len(api.sent(4, "sendMessage")) == 1


async def test_a_card_for_a_group_the_bot_is_not_in_waits_until_it_is(
    api: FakeBotApi, bot: Transport, engine: Engine
) -> None:
    missing = -1001000000077  # a staff group the bot was never added to (or was removed from)
    queue(engine, Outgoing(missing, "card PMI-AAAA-BBBB", kind="card", ticket_ref="PMI-AAAA-BBBB"))
    await OutboxSender(bot, engine, RateLimiter(FAST)).drain_once()
    [row] = rows(engine)
    assert row.failed_at is None and row.sent_at is None and row.attempts == 1
    assert row.not_before is not None
    # The administrator adds the bot; a sender running past the retry time delivers the card.
    api.add_group(missing, "staff")
    later = datetime.now(UTC) + timedelta(seconds=301)
    await OutboxSender(bot, engine, RateLimiter(FAST), clock=lambda: later).drain_once()
    [row] = rows(engine)
    assert row.sent_at is not None and row.failed_at is None
    assert [c.params["text"] for c in api.sent(missing, "sendMessage") if c.ok] == ["card PMI-AAAA-BBBB"]


async def test_server_errors_are_retried_with_backoff_and_nothing_is_lost(
    api: FakeBotApi, bot: Transport, engine: Engine
) -> None:
    api.fail_next("sendMessage", 502, times=2)
    queue(engine, Outgoing(1, "eventually"))
    sender = OutboxSender(bot, engine, RateLimiter(FAST), base_backoff=0.1)
    started = time.monotonic()
    while not sent_texts(api) and time.monotonic() - started < WAIT:
        await sender.drain_once()
    assert sent_texts(api) == ["eventually"]
    [row] = rows(engine)
    assert row.sent_at is not None and row.attempts == 2


async def test_emergency_overtakes_a_backlog_of_thousands(
    api: FakeBotApi, bot: Transport, engine: Engine
) -> None:
    now = datetime.now(UTC)
    with UnitOfWork(engine) as uow:
        for i in range(3000):
            uow.outbox.enqueue(100 + i % 300, Outgoing(0, f"reply {i}").payload(), 3, now)
        uow.commit()
    queue(engine, Outgoing(1, "<b>darurat</b>", priority=0, kind="emergency"))
    sender = OutboxSender(bot, engine)  # Telegram's real limits
    await sender.drain_once()
    # In the first round, of 3,001 waiting. Not necessarily the first to reach the fake: a round
    # sends its chats at once, and on a loaded machine another request of the same round arrived
    # first (seen in a full run at load average 6). One drain_once is one round, so no clock is
    # needed: a wall-time bound here failed CI on a loaded 2-core machine (2.7 s).
    sent = [str(call.params["text"]) for call in api.sent(method="sendMessage")]
    assert "<b>darurat</b>" in sent
    # The overall limit held: one round sent at most 30 messages.
    assert len(sent) <= 30


# -- /hapus: delete_chat ---------------------------------------------------------------------
def remember(engine: Engine, chat_id: int, message_ids: list[int], sent_at: datetime) -> None:
    """What the service records for each message a person sends in their private chat."""
    with UnitOfWork(engine) as uow:
        uow.deletable.add(chat_id, message_ids, sent_at)
        uow.commit()


def deletable(engine: Engine, chat_id: int) -> list[int]:
    with UnitOfWork(engine) as uow:
        return uow.deletable.in_chat(chat_id, datetime.now(UTC) - timedelta(days=30))


def ids(messages: list[dict[str, Any]]) -> list[int]:
    return [m["message_id"] for m in messages]


def deleted(call: Call) -> list[int]:
    """The ids a deleteMessages call asked for (a refused call keeps them as the JSON sent)."""
    asked = call.params["message_ids"]
    return [int(i) for i in (json.loads(asked) if isinstance(asked, str) else asked)]


async def test_delete_chat_deletes_every_part_and_the_persons_messages(
    api: FakeBotApi, bot: Transport, engine: Engine
) -> None:
    now = datetime.now(UTC)
    for text in ("tolong", "saya disekap"):
        api.push_text(1, text)  # messages 1 and 2 of the person's chat
    remember(engine, 1, [1, 2], now)
    long = "\n".join(f"line {i} " + "x" * 90 for i in range(100))  # three parts
    queue(engine, Outgoing(1, long), Outgoing(1, "short"), Outgoing(2, "another person"))
    sender = OutboxSender(bot, engine, RateLimiter(FAST))
    await sender.drain_once()
    assert ids(api.history(1)) == [1, 2, 3, 4, 5, 6]
    assert deletable(engine, 1) == [6, 5, 4, 3, 2, 1]  # every part of the long message
    # /hapus queues the deletion and a one-word answer, which is sent after it.
    queue(engine, Outgoing(1, "", priority=1, kind="delete_chat"), Outgoing(1, "Dihapus."))
    await sender.drain_once()
    assert [m["text"] for m in api.history(1)] == ["Dihapus."]
    assert [m["text"] for m in api.history(2)] == ["another person"]
    [call] = api.sent(1, "deleteMessages")
    assert call.ok and deleted(call) == [6, 5, 4, 3, 2, 1]  # newest first
    assert all(c.ok and c.params["text"] for c in api.sent(method="sendMessage"))  # none empty
    [row] = [r for r in rows(engine) if r.kind == "delete_chat"]
    assert row.sent_at is not None and row.failed_at is None and row.telegram_message_id is None
    assert deletable(engine, 1) == [7]  # only the answer, which a later /hapus would delete


async def test_delete_chat_in_batches_leaves_what_telegram_no_longer_allows(
    api: FakeBotApi, bot: Transport, engine: Engine
) -> None:
    now = datetime.now(UTC)
    for i in range(3):
        api.push_text(1, f"old {i}")  # messages 1-3
    api.age_messages(1, 48 * 3600 + 60)  # Telegram refuses to delete these now
    for i in range(150):
        api.push_text(1, f"new {i}")  # messages 4-153
    remember(engine, 1, [1], now - timedelta(hours=49))  # known to be too old: not even tried
    remember(engine, 1, [2], now - timedelta(hours=47))  # older than the bot thought
    remember(engine, 1, list(range(4, 154)), now)
    queue(engine, Outgoing(1, "", priority=1, kind="delete_chat"))
    sender = OutboxSender(bot, engine, RateLimiter(FAST))
    await sender.drain_once()
    assert ids(api.history(1)) == [1, 2, 3]
    calls = api.sent(1, "deleteMessages")
    assert calls[0].ok and deleted(calls[0]) == list(range(153, 53, -1))
    assert all(len(deleted(c)) <= 100 for c in calls)
    assert 1 not in {i for c in calls for i in deleted(c)}
    # The batch holding messages 2 and 3 (3 never recorded, asked for as an id between two that
    # were) was refused as a whole, then split until only those were left, each alone.
    refused = [deleted(c) for c in calls if not c.ok]
    assert refused[0] == list(range(53, 1, -1)) and sorted(refused[-2:]) == [[2], [3]]
    assert len(calls) < 25
    [row] = rows(engine)
    assert row.sent_at is not None and row.failed_at is None
    assert deletable(engine, 1) == [1]  # forgotten when pruned
    with UnitOfWork(engine) as uow:
        uow.deletable.prune(now)
        uow.commit()
    assert deletable(engine, 1) == []


async def test_delete_chat_also_deletes_what_was_sent_but_never_recorded(
    api: FakeBotApi, bot: Transport, engine: Engine
) -> None:
    """The first copy of a message sent again after a crash (sent, killed before it was recorded)
    has an id nobody kept: /hapus asks for the ids between the recorded ones, so it goes too."""
    now = datetime.now(UTC)
    api.push_text(1, "saya disekap")  # 1
    sender = OutboxSender(bot, engine, RateLimiter(FAST))
    await bot.send_text(1, "Jika Anda dalam bahaya sekarang:", reply_to=None, buttons=())  # 2: never recorded
    queue(engine, Outgoing(1, "Jika Anda dalam bahaya sekarang:"))  # 3: the repeat, recorded
    await sender.drain_once()
    api.push_text(1, "/hapus")  # 4
    remember(engine, 1, [1, 4], now)
    assert deletable(engine, 1) == [4, 3, 1]
    queue(engine, Outgoing(1, "", priority=1, kind="delete_chat"))
    await sender.drain_once()
    assert api.history(1) == []
    [call] = api.sent(1, "deleteMessages")
    assert call.ok and deleted(call) == [4, 3, 2, 1]


async def test_delete_chat_goes_on_after_a_flood_wait(
    api: FakeBotApi, bot: Transport, engine: Engine
) -> None:
    for i in range(120):
        api.push_text(3, f"pesan {i}")
    remember(engine, 3, list(range(1, 121)), datetime.now(UTC))
    api.fail_next("deleteMessages", 429, retry_after=1)
    queue(engine, Outgoing(3, "", priority=1, kind="delete_chat"))
    sender = OutboxSender(bot, engine, RateLimiter(FAST))
    started = time.monotonic()
    while api.history(3) and time.monotonic() - started < WAIT:
        await sender.drain_once()
    assert api.history(3) == []
    assert [c.ok for c in api.sent(3, "deleteMessages")] == [False, True, True]
    [row] = rows(engine)
    assert row.sent_at is not None and row.attempts == 1
    assert deletable(engine, 3) == []


async def test_delete_chat_for_a_person_who_blocked_the_bot_fails_for_good(
    api: FakeBotApi, bot: Transport, engine: Engine
) -> None:
    api.push_text(4, "halo")
    remember(engine, 4, [1], datetime.now(UTC))
    api.block_user(4, notify=False)
    queue(engine, Outgoing(4, "", priority=1, kind="delete_chat"))
    sender = OutboxSender(bot, engine, RateLimiter(FAST))
    await sender.drain_once()
    await sender.drain_once()
    [row] = rows(engine)
    assert row.failed_at is not None and row.sent_at is None and row.error is not None
    assert row.error.startswith("403")
