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
    """``then`` is a command (name, argument) the engine runs once the handler has returned: how a
    handler hands the person on to another conversation without importing the engine."""

    st: State
    ctx: Context
    replies: list[Reply] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    then: tuple[str, str] | None = None

    def say(
        self,
        *lines: Text,
        buttons: Sequence[Sequence[Button]] = (),
        urgency: Urgency = Urgency.NORMAL,
        ticket_ref: str | None = None,
    ) -> None:
        self.replies.append(
            Reply(tuple(lines), tuple(tuple(row) for row in buttons if row), urgency, ticket_ref)
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


def keep_note(data: dict[str, object], text: str) -> None:
    """Keep words that answered nothing asked; they travel with the ticket (``notes``)."""
    words = text.strip()
    if words:
        notes = data.setdefault("notes", [])
        assert isinstance(notes, list)
        notes.append(words)


def global_button(action: str, label: Text) -> Button:
    """A button that stays valid whatever the conversation does next (menu entries, emergency)."""
    return Button(f"{GLOBAL}.{action}", label)


PASS = Option("pass", M("Send my words to an officer"))


class Handler:
    """A conversation the engine can be in. Defaults answer unexpected input kindly and re-ask.

    Words typed where a button is expected are kept (``data["notes"]``): the first miss asks the
    question again, a second one offers to pass the words to an officer. ``keeps_notes`` says
    whether the flow ends in a ticket that carries them (then the person is told they are kept);
    ``may_pass`` whether the person may be offered an officer here at all (not before consent)."""

    flow_id = ""
    keeps_notes = False
    may_pass = True

    def start(self, t: Turn) -> None:
        raise NotImplementedError

    def prompt(self, t: Turn) -> None:
        raise NotImplementedError

    def resume(self, t: Turn) -> None:
        """Back from the emergency card ("continue where I was")."""
        self.prompt(t)

    def takes_input(self, t: Turn) -> bool:
        """False where words, files or places sent mean the person has left this conversation (a
        list to pick from): the engine then treats them as sent outside any flow."""
        return True

    def on_choice(self, t: Turn, choice: str) -> None:
        if choice == PASS.id and self.may_pass and t.st.data.get("notes"):
            self.pass_to_officer(t)
            return
        t.say(M("That button does not belong to this question."))
        self.prompt(t)

    def options_shown(self, t: Turn) -> Sequence[Option]:
        """The options of the question on screen, for matching what is typed instead of tapped."""
        return ()

    def on_text(self, t: Turn, text: str) -> None:
        options = self.options_shown(t)
        chosen = t.ctx.understand.choice(text, options) if options else None
        if chosen is not None:
            self.on_choice(t, chosen)
        else:
            self.missed(t, text)

    def missed(self, t: Turn, text: str) -> None:
        """Words that answer nothing asked: kept, the question asked again once, and from the
        second miss on the person is offered an officer instead."""
        data = t.st.data
        keep_note(data, text)
        turn, count = data.get("_missed") or (None, 0)
        count = count + 1 if turn == t.st.turn else 1
        data["_missed"] = [t.st.turn, count]
        if count == 1 or not self.may_pass:
            t.say(
                M("Thank you, I have kept what you wrote for the officer.")
                if self.keeps_notes
                else M("Please choose one of the buttons below.")
            )
            self.prompt(t)
            return
        t.say(
            M(
                "I could not match that to one of the answers. Choose one of the buttons, or send your words "
                "to an officer now."
            ),
            buttons=[*t.options(self.options_shown(t), 2), [t.button(PASS.id, PASS.label)]],
        )

    def pass_to_officer(self, t: Turn) -> None:
        """The person's words as a question to an officer (flows that open a ticket send the
        report instead, with the words in it)."""
        words = "\n".join(str(n) for n in t.st.data.get("notes") or ())
        t.st.clear_flow()
        t.then = ("officer", words)

    def on_location(self, t: Turn, location: LocationIn) -> None:
        t.say(M("Thank you, but a location is not needed here."))
        self.prompt(t)

    def on_contact(self, t: Turn, contact: ContactIn) -> None:
        t.say(M("Thank you, but a contact is not needed here."))
        self.prompt(t)

    def on_attachment(self, t: Turn, attachment: AttachmentIn) -> None:
        t.say(M("I cannot use a file here. You can add files to a report with /status."))
        self.prompt(t)
