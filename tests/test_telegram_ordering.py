"""Per-person ordering of concurrent updates (bot/delivery/ordering.py, as python-telegram-bot's
update processor in bot/ptb/ordering.py), the outbound rate limiter (bot/delivery/limiter.py)
and message splitting (bot/delivery/split.py)."""

from __future__ import annotations

import asyncio
import random

import aiogram
import aiogram.types

from bot.aiogram_rt.polling import UpdateProcessor
from bot.delivery.limiter import Limits, RateLimiter
from bot.delivery.polling import handle_batch
from bot.delivery.split import split_text
from bot.ptb.ordering import PerUserUpdateProcessor
from tests.fakebotapi.ratelimit import RateLimitConfig
from tests.fakebotapi.ratelimit import RateLimiter as TelegramBuckets


async def test_same_person_in_order_different_people_at_once() -> None:
    processor = PerUserUpdateProcessor(16, key=lambda update: update[0])  # type: ignore[index]
    log: list[tuple[str, int]] = []
    running = 0
    most = 0

    async def work(update: tuple[int, int], delay: float) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        log.append(("start", update[0] * 10 + update[1]))
        await asyncio.sleep(delay)
        log.append(("end", update[0] * 10 + update[1]))
        running -= 1

    updates = [(1, 1, 0.05), (2, 1, 0.01), (1, 2, 0.0), (3, 1, 0.01), (1, 3, 0.0)]
    await asyncio.gather(*(processor.process_update((p, n), work((p, n), d)) for p, n, d in updates))
    person_one = [n for what, n in log if what == "start" and n // 10 == 1]
    assert person_one == [11, 12, 13]
    # Update 12 starts only after 11 ended, although 11 was the slowest.
    assert log.index(("end", 11)) < log.index(("start", 12))
    assert most >= 3  # persons 1, 2 and 3 ran at the same time
    assert processor.active_keys == 0  # idle locks are dropped


def test_private_chat_bucket_group_window_and_flood_pause() -> None:
    now = [0.0]
    limiter = RateLimiter(Limits(), clock=lambda: now[0])
    for _ in range(3):
        assert limiter.wait_for(1) == 0
        limiter.record(1)
    assert 0.9 < limiter.wait_for(1) <= 1.0  # burst of 3, then one per second
    assert limiter.wait_for(2) == 0  # other people are not held up
    for _ in range(20):
        limiter.record(-100)
    assert limiter.wait_for(-100) == 60.0  # 20 per minute in a group
    assert limiter.wait_for(-100, counts=False) == 0  # edits are not new messages
    now[0] = 60.0
    assert limiter.wait_for(-100) == 0
    limiter.flood(5, 7)
    assert limiter.wait_for(5) == 7 and limiter.wait_for(6) == 0
    limiter.flood(6, 3)  # a second chat refused at once: Telegram's global limit
    assert limiter.wait_for(7) == 3


def test_split_text_at_lines_under_the_limit() -> None:
    assert split_text("short") == ["short"]
    text = "\n".join(["a" * 30] * 10)
    pieces = split_text(text, limit=100)
    assert all(len(p) <= 100 for p in pieces) and "".join(pieces) == text
    assert pieces[0].endswith("a\n")  # cut after a line break, which Telegram trims
    assert split_text("word " * 50, limit=40)[0].endswith("word ")


async def test_aiogram_dispatcher_is_fed_in_order_per_person() -> None:
    """aiogram alone would run these as racing tasks; its adapter keeps each person's order."""
    log: list[tuple[str, str]] = []

    async def on_message(message: aiogram.types.Message) -> None:
        assert message.text is not None
        log.append(("start", message.text))
        await asyncio.sleep(float(message.text.split()[1]))
        log.append(("end", message.text))

    dispatcher = aiogram.Dispatcher()
    dispatcher.message.register(on_message)
    processor = UpdateProcessor(dispatcher, aiogram.Bot("123456:TEST-token"))

    def update(number: int, person: int, text: str) -> aiogram.types.Update:
        chat = {"id": person, "type": "private", "first_name": "A"}
        sender = {"id": person, "is_bot": False, "first_name": "A"}
        message = {"message_id": number, "date": 0, "chat": chat, "from": sender, "text": text}
        return aiogram.types.Update.model_validate({"update_id": number, "message": message})

    batch = [update(1, 1, "1a 0.05"), update(2, 2, "2a 0.02"), update(3, 1, "1b 0"), update(4, 3, "3a 0.02")]
    await handle_batch(processor.process, batch)
    assert log.index(("end", "1a 0.05")) < log.index(("start", "1b 0"))
    # Persons 2 and 3 started while person 1's first message was still being handled.
    assert log.index(("start", "3a 0.02")) < log.index(("end", "1a 0.05"))


def test_sends_delayed_in_flight_never_exceed_telegrams_private_bucket() -> None:
    """Telegram counts a message when it arrives. A client that counts it when it leaves is
    refused when one send is delayed and the next is not (one 429 in the e2e rate test on a busy
    machine); counting it again when answered keeps the client at or below the server."""
    rng = random.Random(7)
    now = [0.0]
    for _ in range(200):
        now[0] = 0.0
        client = RateLimiter(Limits(), clock=lambda: now[0])
        server = TelegramBuckets(RateLimitConfig())
        for _ in range(30):
            now[0] += rng.choice([0.0, 0.0, rng.uniform(0, 2.5)])  # a burst, or a pause
            while wait := client.take(1):
                now[0] += wait + 1e-9
            now[0] += rng.uniform(0, 0.5)  # in flight: Telegram counts it on arrival
            assert server.acquire(1, "private", now[0]) is None
            now[0] += rng.uniform(0, 0.2)  # the answer's way back
            client.answered(1)
