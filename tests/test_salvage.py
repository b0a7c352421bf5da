"""Updates the Telegram library cannot read (bot/delivery/salvage.py), on both libraries: handled
from their core fields when they have any, otherwise logged by id and kind only."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from aiogram.types import Update as AiogramUpdate
from telegram import Bot
from telegram import Update as PtbUpdate

from bot.delivery.salvage import core_update, parse_or_salvage, update_kind
from tests.support.unreadable import NAME, POLL, UNIQUE_GIFT

PERSON = {"id": 7001, "is_bot": False, "first_name": NAME}
CHAT = {"id": 7001, "type": "private", "first_name": NAME}


def message(**fields: Any) -> dict[str, Any]:
    return {"message_id": 3, "date": 1_700_000_000, "chat": CHAT, "from": PERSON, **fields}


def ptb_parse(raw: Mapping[str, Any]) -> Any:
    update = PtbUpdate.de_json(dict(raw), Bot("1:token"))
    assert update is not None
    return update


def aiogram_parse(raw: Mapping[str, Any]) -> Any:
    return AiogramUpdate.model_validate(raw)


PARSERS = pytest.mark.parametrize("parse", [ptb_parse, aiogram_parse], ids=["ptb", "aiogram"])


@PARSERS
def test_a_readable_update_is_read_whole(parse: Callable[[Mapping[str, Any]], Any]) -> None:
    update, whole = parse_or_salvage({"update_id": 1, "message": message(text="halo")}, parse)
    assert whole
    assert (update.update_id, update.message.text) == (1, "halo")


@PARSERS
def test_a_text_with_a_part_the_library_cannot_read_still_reaches_the_core(
    parse: Callable[[Mapping[str, Any]], Any], caplog: pytest.LogCaptureFixture
) -> None:
    raw = {"update_id": 2, "message": message(text="/darurat", reply_to_message=message(poll=POLL))}
    with pytest.raises(Exception):  # noqa: B017 (each library raises its own kind)
        parse(raw)
    with caplog.at_level(logging.WARNING):
        update, whole = parse_or_salvage(raw, parse)
    assert not whole
    assert (update.update_id, update.message.text, update.message.chat.id) == (2, "/darurat", 7001)
    assert update.message.from_user.id == 7001
    assert "update=2 kind=message" in caplog.text
    assert NAME not in caplog.text


@PARSERS
def test_a_unique_gift_without_gift_id_is_read_as_an_empty_message(
    parse: Callable[[Mapping[str, Any]], Any], caplog: pytest.LogCaptureFixture
) -> None:
    raw = {"update_id": 3, "message": message(unique_gift=UNIQUE_GIFT)}
    with caplog.at_level(logging.WARNING):
        update, whole = parse_or_salvage(raw, parse)
    assert not whole
    assert (update.message.message_id, update.message.text) == (3, None)
    assert NAME not in caplog.text


@PARSERS
def test_an_update_with_nothing_the_core_reads_is_logged_by_id_and_kind_only(
    parse: Callable[[Mapping[str, Any]], Any], caplog: pytest.LogCaptureFixture
) -> None:
    raw = {"update_id": 4, "poll": POLL}
    with caplog.at_level(logging.WARNING):
        assert parse_or_salvage(raw, parse) == (None, False)
    assert "update=4 kind=poll" in caplog.text
    assert "not handled" in caplog.text
    assert NAME not in caplog.text
    # A message whose core fields are broken too: nothing to handle, still no content logged.
    broken = {"update_id": 5, "message": {"message_id": "x", "chat": NAME}}
    with caplog.at_level(logging.WARNING):
        assert parse_or_salvage(broken, parse) == (None, False)
    assert "update=5 kind=message" in caplog.text
    assert NAME not in caplog.text


def test_the_core_part_keeps_who_where_and_the_words() -> None:
    query = {"id": "q", "from": PERSON, "chat_instance": "c", "data": "d", "message": message(poll=POLL)}
    assert core_update({"update_id": 6, "callback_query": query}) == {
        "update_id": 6,
        "callback_query": {
            "id": "q",
            "from": PERSON,
            "chat_instance": "c",
            "data": "d",
            "message": message(),
        },
    }
    assert core_update({"update_id": 7, "message": message(text="t", unique_gift=UNIQUE_GIFT)}) == {
        "update_id": 7,
        "message": message(text="t"),
    }
    assert core_update({"update_id": 8, "poll": POLL}) is None


def test_the_kind_is_a_field_name_or_nothing() -> None:
    assert update_kind({"update_id": 1, "message": {}}) == "message"
    assert update_kind({"update_id": 1, NAME: {}}) == "?"
    assert update_kind({"update_id": 1, "x" * 41: {}}) == "?"
    assert update_kind({"update_id": 1}) == "?"
