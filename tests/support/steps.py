"""Walks of the scripted engine Chat (tests/support/chat.py) through the common steps of the flows,
onboarding, a report up to its summary, a missing-relative report, a /cek offer, and small
looks at what the last turn produced. Shared by the engine tests under tests/flows/ and others."""

from __future__ import annotations

import copy
from typing import Any

from flows.events import Event, NewTicket, TicketOpened
from tests.support.chat import Chat

STORY = "My passport is kept by my employer since I arrived; 3 months of wages unpaid."
MENU_ACTIONS = {"g.cek", "g.lapor", "g.bantuan", "g.status", "g.info", "g.darurat", "g.bahasa"}


def onboard(chat: Chat, lang: str = "en", role: str = "worker") -> None:
    """/start, the language, consent, the role: the menu is shown next."""
    chat.command("/start")
    chat.press(f"lang.{lang}")
    chat.press("agree")
    chat.press(role)


def onboarded(lang: str = "en", role: str = "worker", **kwargs: Any) -> Chat:
    """A new Chat (``kwargs`` go to it) that has been through onboarding."""
    chat = Chat(**kwargs)
    onboard(chat, lang, role)
    return chat


def opened(chat: Chat) -> list[NewTicket]:
    return [e.ticket for e in chat.events if isinstance(e, TicketOpened)]


def only_ticket(chat: Chat) -> NewTicket:
    tickets = opened(chat)
    assert len(tickets) == 1, tickets
    return tickets[0]


def last_events(chat: Chat, kind: type[Event]) -> list[Any]:
    assert chat.last is not None
    return [e for e in chat.last.events if isinstance(e, kind)]


def button_data(chat: Chat) -> list[str]:
    return [b.data for b in chat.buttons()]


def choices(chat: Chat) -> list[str]:
    """The choice ids of the question buttons just shown (without the turn prefix)."""
    return [d.split(".", 1)[1] for d in button_data(chat) if not d.startswith("g.")]


def report_until_city(chat: Chat, category: str = "held", danger: str = "no", country: str = "MY") -> None:
    chat.command("/lapor")
    chat.press(category)
    chat.press(danger)
    if danger == "yes":
        chat.press("resume")  # the emergency card came first
    chat.press("self")
    chat.press(country)


def report_until_summary(
    chat: Chat, category: str = "held", danger: str = "no", country: str = "MY", city: str = "Johor Bahru"
) -> None:
    report_until_city(chat, category, danger, country)
    chat.say(city)
    chat.say(STORY)
    chat.press("skip")
    chat.press("chat")


def file_report(chat: Chat, category: str = "held", danger: str = "no") -> NewTicket:
    report_until_summary(chat, category, danger)
    chat.press("send")
    return opened(chat)[-1]


def missing_until_summary(chat: Chat, minor: str = "no", signs: str = "no") -> None:
    chat.command("/lapor")
    chat.press("missing")
    chat.say("Siti Aminah")
    chat.say("sister")
    chat.press(minor)
    chat.say("early March")
    chat.press("MY")
    chat.say("PT Contoh Jaya, Kuala Lumpur")
    chat.say("C1234567")
    chat.press(signs)
    chat.say("She stopped answering after she moved to a new employer.")
    chat.press("skip")
    chat.press("chat")


def check_until_offer(chat: Chat, query: str = "PT Bintang Samudra Karya") -> None:
    chat.command("/cek")
    chat.say(query)


def snapshot(chat: Chat) -> dict[str, Any]:
    """The state, minus whether an emergency card is open and listening for what follows (showing
    one is allowed anywhere)."""
    state = copy.deepcopy(chat.state_json)
    state.pop("card_open", None)
    state.pop("card_listens", None)
    return state
