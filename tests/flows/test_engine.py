"""What the engine does with unexpected input (unknown commands, free text where a button is expected, stale
and garbage callback data, repeated updates) and that ``step`` is pure.

Played through the scripted Chat driver; the Chat has no translators, so every message renders as its
English msgid."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from flows.engine import step
from flows.events import (
    TicketOpened,
)
from flows.incoming import ChoiceIn, CommandIn, TextIn
from tests.support.chat import Chat
from tests.support.memory import Ids, make_context
from tests.support.steps import (
    check_until_offer,
    choices,
    onboarded,
    opened,
    report_until_city,
    report_until_summary,
    snapshot,
)


# -- unexpected input ------------------------------------------------------------------------------
def test_unknown_command_gets_the_command_list_and_changes_nothing() -> None:
    chat = onboarded()
    report_until_city(chat)
    before = snapshot(chat)
    chat.command("/foo")
    assert "I do not know that command." in chat.text()
    assert "/lapor" in chat.text()
    assert snapshot(chat) == before


def test_free_text_where_a_button_is_expected_re_asks() -> None:
    chat = onboarded()
    chat.command("/lapor")
    before = snapshot(chat)
    chat.say("halo")
    assert "I have kept what you wrote for the officer." in chat.text()
    assert "held" in choices(chat)
    assert snapshot(chat) == {**before, "data": {"notes": ["halo"], "_missed": [before["turn"], 1]}}


def test_a_stale_button_is_refused_and_the_question_re_asked() -> None:
    chat = onboarded()
    chat.command("/lapor")
    old = chat.find("tppo").data
    chat.press("held")
    before = snapshot(chat)
    chat.press_raw(old)
    assert "That button is no longer active." in chat.text()
    assert choices(chat) == ["yes", "no"]
    assert snapshot(chat) == before


def test_a_button_of_another_question_is_refused() -> None:
    chat = onboarded()
    chat.command("/lapor")
    before = snapshot(chat)
    chat.press_raw(f"{chat.state.turn}.yes")
    assert "That button does not belong to this question." in chat.text()
    assert snapshot(chat) == before


GARBAGE = [
    "",
    "x",
    "g.",
    ".",
    "..",
    "g",
    "999999.send",
    "-1.send",
    "1.2.3",
    "g.lang.xx",
    "g.ecountry.ZZ",
    "g.unknown",
    " g.menu",
    "x" * 10_000,
    "g." + "x" * 5_000,
    "1." + "ü" * 300,
    "\x00",
    "🙂.🙂",
]


@pytest.mark.parametrize("data", GARBAGE, ids=lambda d: repr(d[:20]))
@pytest.mark.parametrize("where", ["fresh", "onboarding", "report", "summary", "check"])
def test_garbage_callback_data_is_answered_and_changes_nothing(where: str, data: str) -> None:
    chat = Chat() if where in ("fresh", "onboarding") else onboarded()
    if where == "onboarding":
        chat.command("/start")
        chat.press("lang.en")
    elif where == "report":
        report_until_city(chat)
    elif where == "summary":
        report_until_summary(chat)
    elif where == "check":
        check_until_offer(chat, "cahaya fiktif")
    before = snapshot(chat)
    chat.press_raw(data)
    assert chat.replies(), "every press gets an answer"
    assert "no longer active" in chat.text() or "does not belong" in chat.text()
    assert snapshot(chat) == before
    assert not chat.last.events  # type: ignore[union-attr]


@pytest.mark.parametrize("data", ["².send", "9" * 5_000 + ".send"], ids=["superscript", "long"])
def test_numeric_looking_garbage_does_not_crash(data: str) -> None:
    chat = onboarded()
    report_until_city(chat)
    before = snapshot(chat)
    chat.press_raw(data)
    assert snapshot(chat) == before


def test_pressing_send_twice_opens_exactly_one_ticket() -> None:
    chat = onboarded()
    report_until_summary(chat)
    send = chat.find("send").data
    chat.press_raw(send)
    chat.press_raw(send)
    assert len(opened(chat)) == 1
    assert "That button is no longer active." in chat.text()


def test_the_same_update_twice_gives_the_same_idempotency_key() -> None:
    """Telegram may deliver one press twice; both steps start from the same saved state, so the
    ticket they describe must carry one key for storage to deduplicate."""
    chat = onboarded()
    report_until_summary(chat)
    state = chat.state
    press = ChoiceIn(chat.find("send").data)
    keys = set()
    for _ in range(2):
        ctx = make_context(chat.now + timedelta(seconds=1), chat.tickets.reader("u1"), Ids(3))
        [event] = [e for e in step(state, press, ctx).events if isinstance(e, TicketOpened)]
        keys.add(event.ticket.idempotency_key)
    assert len(keys) == 1


# -- purity ----------------------------------------------------------------------------------------
def test_step_does_not_modify_the_state_it_is_given() -> None:
    chat = onboarded()
    report_until_city(chat)
    state = chat.state
    before = copy.deepcopy(state.to_dict())
    ctx = make_context(chat.now, chat.tickets.reader("u1"), Ids(1))
    for incoming in (TextIn("Johor"), TextIn("saya disekap"), CommandIn("batal"), ChoiceIn("g.urgent")):
        step(state, incoming, ctx)
    assert state.to_dict() == before
