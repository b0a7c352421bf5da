"""A scripted chat with the pure engine: sends messages, presses buttons, records a transcript.

State is round-tripped through JSON between every step, as storage would, so anything
unserialisable fails here first."""

from __future__ import annotations

import gettext
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from flows.engine import Result, step
from flows.events import Event, TicketOpened
from flows.incoming import (
    AttachmentIn,
    ChoiceIn,
    CommandIn,
    Incoming,
    LocationIn,
    TextIn,
)
from flows.ports import RecruiterLookup
from flows.render import Renderer, Translator
from flows.replies import Button, Reply
from flows.state import State
from tests.support.memory import Ids, MemoryRegistry, MemoryTickets, make_context

START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


class Chat:
    def __init__(
        self,
        user: str = "u1",
        translators: dict[str, Translator] | None = None,
        tickets: MemoryTickets | None = None,
        registry: RecruiterLookup | None = None,
        seed: int = 7,
    ) -> None:
        self.user = user
        self.state_json: dict[str, Any] = State().to_dict()
        self.tickets = tickets or MemoryTickets()
        self.registry = registry or MemoryRegistry()
        self.ids = Ids(seed)
        self.now = START
        self.translators = translators or {}
        self.transcript: list[str] = []
        self.last: Result | None = None
        self.shown: list[Button] = []  # the newest buttons on screen (a quiet answer leaves them)
        self.events: list[Event] = []

    @property
    def state(self) -> State:
        return State.from_dict(json.loads(json.dumps(self.state_json)))

    def renderer(self) -> Renderer:
        lang = self.state.lang
        translator = self.translators.get(lang, gettext.NullTranslations())
        return Renderer(lang, translator, "plain")

    # -- acting ------------------------------------------------------------------------------
    def send(self, incoming: Incoming, shown: str) -> Result:
        self.now += timedelta(seconds=30)
        ctx = make_context(self.now, self.tickets.reader(self.user), self.ids, self.registry)
        result = step(self.state, incoming, ctx)
        self.state_json = json.loads(json.dumps(result.state.to_dict()))
        self.tickets.apply(self.user, result.events)
        self.events += result.events
        self.last = result
        buttons = [b for reply in result.replies for row in reply.buttons for b in row]
        if buttons:
            self.shown = buttons
        self.transcript.append(f"user: {shown}")
        renderer = self.renderer()
        for reply in result.replies:
            self.transcript.append(_indent("bot:  ", renderer.lines(reply.lines)))
            for row in reply.buttons:
                self.transcript.append("      " + " ".join(f"[{renderer.text(b.label)}]" for b in row))
        for event in result.events:
            self.transcript.append(f"      event: {type(event).__name__}{_routing(event)}")
        return result

    def say(self, text: str) -> Result:
        return self.send(TextIn(text), text)

    def command(self, text: str) -> Result:
        name, _, args = text.lstrip("/").partition(" ")
        return self.send(CommandIn(name.lower(), args), text)

    def press(self, choice: str) -> Result:
        """Press the newest visible button whose choice id (after the turn prefix) is ``choice``."""
        button = self.find(choice)
        return self.send(ChoiceIn(button.data), f"[{self.renderer().text(button.label)}]")

    def press_raw(self, data: str) -> Result:
        return self.send(ChoiceIn(data), f"[button {data}]")

    def location(self, lat: float, lon: float) -> Result:
        return self.send(LocationIn(lat, lon), f"(location {lat}, {lon})")

    def file(self, kind: str = "photo", file_id: str = "file-1") -> Result:
        return self.send(AttachmentIn(kind, file_id, "image/jpeg", 1000), f"({kind})")

    # -- looking -------------------------------------------------------------------------------
    def buttons(self) -> list[Button]:
        assert self.last is not None
        return [b for reply in self.last.replies for row in reply.buttons for b in row]

    def find(self, choice: str) -> Button:
        for button in reversed(self.buttons() or self.shown):
            if button.data.split(".", 1)[1] == choice:
                return button
        raise AssertionError(f"no button {choice!r} in {[b.data for b in self.buttons()]}")

    def text(self) -> str:
        assert self.last is not None
        renderer = self.renderer()
        return "\n".join(renderer.lines(r.lines) for r in self.last.replies)

    def replies(self) -> tuple[Reply, ...]:
        assert self.last is not None
        return self.last.replies


def _indent(prefix: str, text: str) -> str:
    pad = " " * len(prefix)
    return "\n".join((prefix if i == 0 else pad) + line for i, line in enumerate(text.split("\n")))


def _routing(event: object) -> str:
    """Where a new ticket goes, so that a transcript shows the routing a conversation leads to."""
    if not isinstance(event, TicketOpened):
        return ""
    t = event.ticket
    copied = f" + {', '.join(t.copied)}" if t.copied else ""
    return f" ({t.owner}{copied}, {t.priority})"
