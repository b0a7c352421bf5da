"""What a webhook body must be before either library sees it (bot/delivery/webhook.py)."""

from __future__ import annotations

import json

import pytest

from bot.delivery.webhook import receipt_body, update_object

DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"\xff\xfe",
        b"null",
        b"[]",
        b'"text"',
        b"42",
        DEEP,
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        b"{}",
        b'{"update_id": "5"}',
        b'{"update_id": true}',
        b'{"update_id": -1}',
        json.dumps({"update_id": 2**70}).encode(),
        b'{"update_id": 1.5}',
    ],
    ids=lambda body: body[:24].decode("latin-1"),
)
def test_a_body_that_is_no_update_is_refused(body: bytes) -> None:
    assert update_object(body) is None


def test_an_update_is_its_object() -> None:
    assert update_object(b'{"update_id": 9223372036854775807, "x": {}}') == {
        "update_id": 2**63 - 1,
        "x": {},
    }
    assert update_object(b'{"update_id": 0}') == {"update_id": 0}


def test_only_a_persons_button_press_is_answered_in_the_webhook_reply() -> None:
    private = {"id": 5, "type": "private"}
    group = {"id": -100, "type": "supergroup"}

    def press(chat: dict[str, object] | None) -> dict[str, object]:
        query: dict[str, object] = {"id": "q1", "from": {"id": 5}, "data": "g.menu"}
        if chat is not None:
            query["message"] = {"message_id": 1, "date": 0, "chat": chat}
        return {"update_id": 1, "callback_query": query}

    assert receipt_body(press(private)) == {"method": "answerCallbackQuery", "callback_query_id": "q1"}
    assert receipt_body(press(group)) is None  # an officer's: the handler answers with what was done
    assert receipt_body(press(None)) is None  # a press on an inline message: no chat to tell
    assert receipt_body({"update_id": 2, "message": {"message_id": 1, "chat": private}}) is None
    assert receipt_body({"update_id": 3, "callback_query": "not an object"}) is None
