"""Long polling with an update the library cannot read in a getUpdates batch (a field Telegram
added before the library caught up): the batch is read one update at a time, every update is
stored and handled, the unreadable one as well as the core can (bot/delivery/salvage.py), and
the offset moves past it. Before, python-telegram-bot's polling stopped at the batch (nobody was
answered again) and aiogram fetched the same batch forever."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from bot.delivery.polling import LONG_POLL
from tests.e2e.conftest import BotProcess, Person, wait_polling
from tests.fakebotapi.server import JSON, FakeBotApi
from tests.support.unreadable import NAME, POLL, UNIQUE_GIFT

WORKER = 5801
OTHER = 5802


@pytest.fixture
def env(env: dict[str, str]) -> dict[str, str]:
    # DEBUG: the libraries log whole getUpdates answers there, and the names in them must not stay.
    return {**env, "HELPLINE_LOG_LEVEL": "DEBUG"}


def test_an_unreadable_update_in_a_batch_is_salvaged_and_polling_moves_on(
    api: FakeBotApi, env: dict[str, str], tmp_path: Path
) -> None:
    chat = api.add_private_chat(WORKER, first_name=NAME)
    api.add_private_chat(OTHER)
    user = {"id": WORKER, "is_bot": False, "first_name": NAME}

    def message(message_id: int, **fields: Any) -> JSON:
        return {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": user, **fields}

    # One batch, queued before the bot asks: a gift no library reads, the worker's next text, a
    # text of someone else, and a text the library cannot read whole (a reply to a poll it refuses).
    gift = api.push_raw({"message": message(9001, unique_gift=UNIQUE_GIFT)})
    api.push_text(WORKER, "/darurat")
    api.push_text(OTHER, "/darurat")
    reply = api.push_raw(
        {"message": message(9002, text="/darurat", reply_to_message=message(9000, poll=POLL))}
    )
    assert gift is not None and reply is not None

    bot = BotProcess(env, tmp_path / "bot.log")
    bot.start()
    try:
        wait_polling(api, bot)
        worker, other = Person(api, WORKER), Person(api, OTHER)

        def emergency_answers(chat_id: int) -> list[JSON]:
            return [m for m in api.messages(chat_id) if "110" in m.get("text", "")]

        api.wait_for(lambda: len(emergency_answers(WORKER)) == 2, description="the worker's two answers")
        other.expect("110")
        # Polling goes on: the worker's next message is answered too.
        worker.say("/darurat")
        api.wait_for(lambda: len(emergency_answers(WORKER)) == 3, description="the worker's third answer")

        # The batch was fetched once: the next getUpdates confirmed it (offset past it).
        def holding(update_id: int) -> list[Any]:
            return [
                call
                for call in api.sent(method="getUpdates")
                if any(u.get("update_id") == update_id for u in call.result or [])
            ]

        assert len(holding(gift)) == 1
        later = [call.params.get("offset") for call in api.sent(method="getUpdates")][1:]
        assert later and all(offset is not None and offset > reply for offset in later)

        # Stored while in hand, removed once handled, as every polled update: at the latest when
        # the long poll after the last batch returns.
        db = env["DATABASE_URL"].removeprefix("sqlite:///")

        def stored() -> list[Any]:
            with sqlite3.connect(db) as connection:
                return connection.execute("SELECT update_id FROM incoming_updates").fetchall()

        api.wait_for(lambda: stored() == [], LONG_POLL + 10, description="the handled updates forgotten")
        output = bot.output()
        assert f"update={gift} kind=message" in output
        assert f"update={reply} kind=message" in output
        assert "Traceback" not in output
        assert NAME not in output
    finally:
        bot.stop()
