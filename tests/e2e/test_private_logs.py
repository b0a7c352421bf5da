"""The real bot at DEBUG, on each library: a whole report with a story, a passport number and a
phone, an officer's answer, and the log holds none of them, nor the token (bot/log_privacy.py)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PPA_CHAT, PPA_OFFICER, BotProcess, Person
from tests.e2e.test_worker_and_officer import file_tppo_report, onboard
from tests.fakebotapi.server import FakeBotApi

WORKER = 5301
PASSPORT = "C7654321"
STORY = f"Majikan menahan paspor saya {PASSPORT} dan tidak membayar gaji"
PHONE = "+60 12-345 6789"
ANSWER = "Kami menghubungi KBRI Kuala Lumpur hari ini"


@pytest.fixture
def env(env: dict[str, str]) -> dict[str, str]:
    return {**env, "HELPLINE_LOG_LEVEL": "DEBUG"}


def test_a_whole_report_at_debug_leaves_nothing_private_in_the_log(
    api: FakeBotApi, bot: BotProcess, env: dict[str, str]
) -> None:
    worker = Person(api, WORKER)
    onboard(worker)
    ref = file_tppo_report(worker, STORY, f"{PHONE} after 8 pm")
    ppa = Person(api, PPA_OFFICER, PPA_CHAT)
    card = ppa.expect(ref)
    assert PASSPORT in card["text"]  # the report did reach the officer, through the log's libraries
    ppa.say(f"/reply {ref} {ANSWER}")
    worker.expect(ANSWER)

    log = bot.output()
    assert "DEBUG" in log and ref in log  # a DEBUG log that follows the ticket by reference
    secrets = {"story": STORY[:20], "passport": PASSPORT, "phone": "345 6789", "token": api.token}
    secrets["answer"], secrets["token secret"] = ANSWER[:20], api.token.split(":")[1]
    assert {name: log.count(value) for name, value in secrets.items()} == dict.fromkeys(secrets, 0)
