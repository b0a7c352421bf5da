"""Messages per answer over every scripted conversation (the golden scripts, id and en), through
the pure engine as the service calls it: each reply is one Telegram message.

Telegram paces one chat at about one message a second, so an answer of three messages makes a
person wait two seconds more, and the buttons of the first are stale by the time the last arrives."""

from __future__ import annotations

from flows.engine import Result
from flows.incoming import Incoming
from tests.golden.scripts import SCRIPTS
from tests.support.chat import Chat
from tests.test_golden import shipped_sample, translators


class _Counting(Chat):
    def __init__(self) -> None:
        super().__init__(translators=translators(), registry=shipped_sample())
        self.per_answer: list[int] = []

    def send(self, incoming: Incoming, shown: str) -> Result:
        result = super().send(incoming, shown)
        self.per_answer.append(len(result.replies))
        return result


def bench() -> list[list[object]]:
    rows: list[list[object]] = []
    every: list[int] = []
    for lang in ("id", "en"):
        for flow, script in SCRIPTS.items():
            chat = _Counting()
            script(chat, lang)
            every += chat.per_answer
            if lang == "id":
                rows.append(_row(flow, chat.per_answer))
    rows.append(_row("all, id and en", every))
    return rows


def _row(name: str, counts: list[int]) -> list[object]:
    answered = [c for c in counts if c]
    return [
        name,
        len(counts),
        sum(counts),
        sum(1 for c in counts if c > 1),
        max(counts, default=0),
        f"{sum(answered) / max(len(answered), 1):.2f}",
    ]


HEADERS = [
    "conversation (id)",
    "person's messages",
    "bot messages",
    "answers of 2+ messages",
    "most in one answer",
    "per answer",
]
