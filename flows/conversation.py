"""One turn of a conversation: the state being changed, the context, and what is said and emitted.

Handlers of every flow receive a ``Turn`` and speak through it, so that button payloads, question
numbering and urgency are built the same way everywhere."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from flows.events import Event
from flows.incoming import AttachmentIn, ContactIn, LocationIn
from flows.ports import Context
from flows.replies import Button, Reply, Urgency
from flows.state import State
from flows.steps import Option
from flows.text import M, Text

GLOBAL = "g"


@dataclass
class Turn:
    st: State
    ctx: Context
    replies: list[Reply] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def say(
        self,
        *lines: Text,
        buttons: Sequence[Sequence[Button]] = (),
        urgency: Urgency = Urgency.NORMAL,
        ticket_ref: str | None = None,
        ask_location: bool = False,
    ) -> None:
        self.replies.append(
            Reply(
                tuple(lines), tuple(tuple(row) for row in buttons if row), urgency, ask_location, ticket_ref
            )
        )

    def emit(self, event: Event) -> None:
        self.events.append(event)

    def next_question(self) -> None:
        """Number a new question, so that buttons of earlier questions become stale."""
        self.st.turn += 1

    def button(self, choice: str, label: Text) -> Button:
        return Button(f"{self.st.turn}.{choice}", label)

    def options(self, options: Iterable[Option], columns: int = 1) -> list[list[Button]]:
        buttons = [self.button(o.id, o.label) for o in options]
        return [buttons[i : i + columns] for i in range(0, len(buttons), max(1, columns))]


def global_button(action: str, label: Text) -> Button:
    """A button that stays valid whatever the conversation does next (menu entries, emergency)."""
    return Button(f"{GLOBAL}.{action}", label)


class Handler:
    """A conversation the engine can be in. Defaults answer unexpected input kindly and re-ask."""

    flow_id = ""

    def start(self, t: Turn) -> None:
        raise NotImplementedError

    def prompt(self, t: Turn) -> None:
        raise NotImplementedError

    def on_choice(self, t: Turn, choice: str) -> None:
        t.say(M("That button does not belong to this question."))
        self.prompt(t)

    def on_text(self, t: Turn, text: str) -> None:
        t.say(M("Please choose one of the buttons below."))
        self.prompt(t)

    def on_location(self, t: Turn, location: LocationIn) -> None:
        t.say(M("Thank you, but a location is not needed here."))
        self.prompt(t)

    def on_contact(self, t: Turn, contact: ContactIn) -> None:
        t.say(M("Thank you, but a contact is not needed here."))
        self.prompt(t)

    def on_attachment(self, t: Turn, attachment: AttachmentIn) -> None:
        t.say(M("I cannot use a file here. You can add files to a report with /status."))
        self.prompt(t)
