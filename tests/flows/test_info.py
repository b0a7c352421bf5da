"""/info (``flows.info``): every topic ends with asking an officer; channel numbers come from the contacts
data.

Played through the scripted Chat driver; the Chat has no translators, so every message renders as its
English msgid."""

from __future__ import annotations

from tests.support.memory import load_contacts
from tests.support.steps import (
    choices,
    onboarded,
    only_ticket,
)


def test_info_topics_end_with_ask_an_officer() -> None:
    chat = onboarded()
    chat.command("/info")
    topics = choices(chat)
    assert topics == ["procedure", "documents", "costs", "rights", "channels"]
    for topic in topics:
        chat.press(topic)
        assert choices(chat) == ["officer", "topics"]
        chat.press("topics")
    chat.press("costs")
    assert "UU 18/2017" in chat.text()
    chat.press("officer")
    assert "Write your question." in chat.text()
    chat.say("Is my agency allowed to charge 30 million rupiah?")
    chat.press("send")
    ticket = only_ticket(chat)
    assert (ticket.kind, ticket.owner, ticket.priority) == ("question", "kp2mi", "normal")
    assert ticket.description == "Is my agency allowed to charge 30 million rupiah?"


def test_info_channels_take_their_numbers_from_the_contacts_data() -> None:
    chat = onboarded()
    chat.command("/info")
    chat.press("channels")
    national = {n.service: n.number for n in load_contacts().national}
    assert f"• LAPOR! complaints portal: {national['lapor']}" in chat.text()
    assert f"• Kemnaker call centre: {national['kemnaker']}" in chat.text()
