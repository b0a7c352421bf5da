"""At Telegram's real pace: with the fake enforcing flood limits, the bot's own limiter keeps
it from ever being told to wait, and an emergency overtakes a backlog."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import BotProcess, Person, wait_polling
from tests.fakebotapi.server import FakeBotApi


def test_no_flood_errors_at_the_default_pace(api: FakeBotApi, env: dict[str, str], tmp_path: Path) -> None:
    api.rate_limits()
    real_pace = {k: v for k, v in env.items() if k != "TELEGRAM_PRIVATE_CHAT_RATE"}
    bot = BotProcess(real_pace, tmp_path / "bot.log")
    bot.start()
    wait_polling(api, bot)
    try:
        worker = Person(api, 5601)
        worker.say("/start")
        worker.tap("English")
        worker.tap("I agree")
        worker.tap("I work abroad")
        worker.expect("What would you like to do?")
        for word in ("/info", "/menu", "/cek"):
            worker.say(word)
        worker.say("saya disekap majikan")  # an emergency, behind the backlog of replies
        emergency = worker.expect("Polri", timeout=15)
        assert emergency
        assert api.count_429 == 0
    finally:
        bot.stop()
