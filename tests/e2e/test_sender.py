"""The outbox sender against the fake Bot API: priority, long texts, cards, and Telegram's
errors (429, 403, 5xx), through each library's transport. Runs in-process for speed; the bot
process tests cover the wiring."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

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
from bot.delivery.transport import Transport
from bot.outgoing import Outgoing
from bot.ptb.transport import PtbTransport
from storage.db import make_engine, migrate
from storage.tables import OutboxRow, UserRow
from storage.uow import UnitOfWork
from tests.fakebotapi.server import FakeBotApi

GROUP = -1001000000009
FAST = Limits(private_burst=50, private_per_second=50.0)


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
    assert "\n".join(c.params["text"] for c in pieces) == long
    assert all(r.sent_at is not None for r in rows(engine))


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


async def test_flood_limit_pauses_only_that_chat(api: FakeBotApi, bot: Transport, engine: Engine) -> None:
    api.fail_next("sendMessage", 429, retry_after=1)
    queue(engine, Outgoing(1, "first"), Outgoing(1, "second"), Outgoing(2, "other chat"))
    sender = OutboxSender(bot, engine, RateLimiter(FAST))
    await sender.drain_once()
    assert sent_texts(api) == ["other chat"]
    started = time.monotonic()
    while len(sent_texts(api)) < 3 and time.monotonic() - started < 5:
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


async def test_server_errors_are_retried_with_backoff_and_nothing_is_lost(
    api: FakeBotApi, bot: Transport, engine: Engine
) -> None:
    api.fail_next("sendMessage", 502, times=2)
    queue(engine, Outgoing(1, "eventually"))
    sender = OutboxSender(bot, engine, RateLimiter(FAST), base_backoff=0.1)
    started = time.monotonic()
    while not sent_texts(api) and time.monotonic() - started < 5:
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
    started = time.monotonic()
    await sender.drain_once()
    first = api.sent(method="sendMessage")[0]
    assert first.params["text"] == "<b>darurat</b>"
    assert time.monotonic() - started < 2
    # The overall limit held: one round sent at most 30 messages.
    assert len(api.sent(method="sendMessage")) <= 30
