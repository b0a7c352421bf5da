"""Asking an officer (``flows.officer``): after two misunderstood messages, and from /info topics.

Played through the scripted Chat driver; the Chat has no translators, so every message renders as its
English msgid."""

from __future__ import annotations

from tests.support.chat import Chat
from tests.support.steps import (
    button_data,
    choices,
    onboarded,
    only_ticket,
    opened,
)


# -- ask an officer --------------------------------------------------------------------------------
def test_two_misunderstood_messages_offer_an_officer() -> None:
    chat = onboarded()
    chat.say("apa kabar")
    assert "Sorry, I did not understand." in chat.text()
    assert "g.ask_officer" not in button_data(chat)
    chat.say("berapa biaya ke Taiwan?")
    assert "An officer can answer you." in chat.text()
    assert "g.ask_officer" in button_data(chat)
    chat.press("ask_officer")
    assert "berapa biaya ke Taiwan?" in chat.text()
    assert choices(chat) == ["send", "cancel"]
    chat.press("send")
    ticket = only_ticket(chat)
    assert (ticket.kind, ticket.category) == ("question", "question")
    assert (ticket.owner, ticket.copied, ticket.priority) == ("kp2mi", (), "normal")
    # Both messages: the first one was not lost either.
    assert ticket.description == "apa kabar\nberapa biaya ke Taiwan?"
    assert "KP2MI officers will answer in this chat." in chat.text()


def test_without_consent_misunderstood_messages_only_show_the_menu() -> None:
    chat = Chat()
    chat.say("halo")
    chat.say("halo lagi")
    assert "g.ask_officer" not in button_data(chat)
    assert "g.lapor" in button_data(chat)


def test_a_command_resets_the_misunderstood_count() -> None:
    chat = onboarded()
    chat.say("apa kabar")
    chat.command("/menu")
    chat.say("berapa biaya?")
    assert "g.ask_officer" not in button_data(chat)


def test_asking_an_officer_can_be_cancelled() -> None:
    chat = onboarded()
    chat.command("/info")
    chat.press("rights")
    chat.press("officer")
    chat.press("cancel")
    assert "Cancelled. Nothing was sent." in chat.text()
    assert opened(chat) == [] and chat.state.flow is None


def test_asking_an_officer_from_info_before_consent_onboards_first() -> None:
    chat = Chat()
    chat.command("/info")
    chat.press("documents")
    chat.press("officer")
    chat.press("lang.en")
    chat.press("agree")
    chat.press("family")
    assert chat.state.flow == "officer" and chat.state.step == "question"
