"""/bantuan (``flows.assist``): every kind of help request goes to KP2MI.

Played through the scripted Chat driver; the Chat has no translators, so every message renders as its
English msgid."""

from __future__ import annotations

import pytest

from flows.vocab import ASSIST_CATEGORIES
from tests.support.steps import (
    onboarded,
    only_ticket,
)


# -- /bantuan --------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", [o.id for o in ASSIST_CATEGORIES])
def test_assist_in_each_kind_goes_to_kp2mi(kind: str) -> None:
    chat = onboarded()
    chat.command("/bantuan")
    chat.press(kind)
    chat.press("HK")
    chat.say("Kowloon")
    chat.say("My employer has not paid me for two months.")
    chat.press("skip")
    chat.press("chat")
    chat.press("send")
    ticket = only_ticket(chat)
    assert (ticket.kind, ticket.category) == ("assist", kind)
    # Documents expired / overstay are the passport issues Imigrasi is copied on (MoU).
    copied = ("imigrasi",) if kind == "assist.documents" else ()
    assert (ticket.owner, ticket.copied, ticket.priority) == ("kp2mi", copied, "normal")
    assert "KP2MI officers will answer in this chat." in chat.text()
