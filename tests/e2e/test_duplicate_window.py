"""The one window in which a message can reach a person twice: Telegram has accepted a send and
the bot dies before it records that (storage/outbox.py marks a row sent only once Telegram
answered). The fake Bot API carries out the chosen sendMessage and kills the bot process with
SIGKILL before answering; after the restart the row is still unsent, so it goes out again.
At-least-once is the promise (SECURITY.md): exactly that one message arrives twice, nothing is
lost, and the conversation goes on. On each library and each database."""

from __future__ import annotations

import threading
from collections import Counter

from tests.e2e.conftest import BotProcess, Person
from tests.e2e.test_worker_and_officer import onboard
from tests.fakebotapi.server import FakeBotApi

WORKER = 5451
KILLED_AT = "What happened?"  # the first question of /lapor


def test_killed_between_telegram_accepting_and_recording_sends_that_message_twice(
    api: FakeBotApi, bot_on: BotProcess
) -> None:
    worker = Person(api, WORKER)
    onboard(worker)
    killed = threading.Event()

    def crash() -> None:
        bot_on.kill()  # SIGKILL, waited for: the answer below reaches no one
        killed.set()

    api.crash_after_next("sendMessage", crash, contains=KILLED_AT)
    worker.say("/lapor")
    assert killed.wait(60), "the bot never sent the question it was to be killed at"
    bot_on.start()
    api.wait_for(
        lambda: len(bot_texts(api, KILLED_AT)) == 2,
        60,
        description="the question sent again after the restart",
    )
    worker.tap("Trafficking")  # on the newest copy
    worker.expect("in danger right now", timeout=30)

    counts = Counter(bot_texts(api))
    twice = {text: n for text, n in counts.items() if n > 1}
    print(f"\nsent twice after a SIGKILL between Telegram accepting and the bot recording: {twice}")
    assert len(twice) == 1 and list(twice.values()) == [2]
    [(text, _)] = twice.items()
    assert KILLED_AT in text
    # Each copy is one ok sendMessage: nothing else was sent again.
    ok = [c for c in api.sent(WORKER, "sendMessage") if c.ok]
    assert len(ok) == len(counts) + 1


def bot_texts(api: FakeBotApi, contains: str = "") -> list[str]:
    return [
        str(m.get("text", ""))
        for m in api.history(WORKER)
        if m["from"]["is_bot"] and contains in str(m.get("text", ""))
    ]
