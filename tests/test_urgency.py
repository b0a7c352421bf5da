"""One urgency decision: the backlog (which serves a person in danger first, from Telegram's JSON)
and the engine (which answers with the emergency card) agree on every kind of message, the file
with a caption included."""

from __future__ import annotations

from typing import Any

import pytest

from bot.delivery.backlog import urgent
from flows.emergency import asks_for_help_now
from flows.events import EmergencyShown
from flows.incoming import AttachmentIn, ChoiceIn, CommandIn, Incoming, TextIn
from tests.support.chat import Chat

PHOTO = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90, "file_size": 900}]


def raw_text(text: str) -> dict[str, Any]:
    return {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 5, "type": "private"},
            "from": {"id": 5, "is_bot": False, "first_name": "A"},
            "text": text,
        },
    }


def raw_photo(caption: str) -> dict[str, Any]:
    raw = raw_text("")
    del raw["message"]["text"]
    raw["message"].update(photo=PHOTO, caption=caption)
    return raw


def raw_button(data: str) -> dict[str, Any]:
    return {"update_id": 1, "callback_query": {"id": "q", "data": data}}


def photo(caption: str) -> AttachmentIn:
    return AttachmentIn("photo", "p1", "image/jpeg", 900, caption=caption)


# (what Telegram sent, what the adapter makes of it, asks for help now?)
CASES: list[tuple[dict[str, Any], Incoming, bool]] = [
    (raw_text("tolong saya disekap"), TextIn("tolong saya disekap"), True),
    (raw_text("tolong, saya mau tanya"), TextIn("tolong, saya mau tanya"), False),
    (raw_text("/darurat"), CommandIn("darurat"), True),
    (raw_text("/emergency"), CommandIn("emergency"), True),
    (raw_text("/lapor"), CommandIn("lapor"), False),
    # The caption case: words under a file are words, even when they start like a command.
    (raw_photo("/lapor saya dipukul majikan"), photo("/lapor saya dipukul majikan"), True),
    (raw_photo("saya dikunci di kamar"), photo("saya dikunci di kamar"), True),
    (raw_photo("/lapor paspor saya"), photo("/lapor paspor saya"), False),
    (raw_photo("foto kontrak"), photo("foto kontrak"), False),
    (raw_button("g.darurat"), ChoiceIn("g.darurat"), True),
    (raw_button("g.menu"), ChoiceIn("g.menu"), False),
]


@pytest.mark.parametrize(("raw", "incoming", "expected"), CASES)
def test_the_backlog_and_the_engine_agree(raw: dict[str, Any], incoming: Incoming, expected: bool) -> None:
    assert asks_for_help_now(incoming) is expected
    assert urgent(raw) is expected
    chat = Chat()
    result = chat.send(incoming, "(message)")
    shown = any(isinstance(event, EmergencyShown) for event in result.events)
    assert shown is expected


def test_staff_chatter_is_never_urgent() -> None:
    raw = raw_text("disekap")
    raw["message"]["chat"] = {"id": -100, "type": "supergroup"}
    assert not urgent(raw)
