"""Ask an officer: a question the bot cannot answer becomes a normal-priority KP2MI ticket."""

from __future__ import annotations

from flows.conversation import Handler, Turn, global_button
from flows.declarative import confirm_ticket
from flows.events import DataErasureRequested, TicketOpened
from flows.routing import route
from flows.state import State
from flows.steps import Option
from flows.text import M
from flows.tickets import build_ticket
from flows.vocab import agency_name

SEND = Option("send", M("Send to an officer"), means="yes")
CANCEL = Option("cancel", M("Cancel"), means="no")


class Officer(Handler):
    flow_id = "officer"

    def start(self, t: Turn, question: str | None = None) -> None:
        t.st.flow, t.st.data = self.flow_id, {}
        if question:
            t.st.data["description"] = question
            t.st.step = "confirm"
        else:
            t.st.step = "question"
        t.next_question()
        self.prompt(t)

    def prompt(self, t: Turn) -> None:
        if t.st.step == "question":
            t.say(
                # The agency routing.json gives questions to (KP2MI), named from the data.
                M(
                    "Write your question. An officer of {agency} will answer in this chat.",
                    agency=agency_name(route(t.ctx.routing, "question").owner),
                ),
                buttons=t.options([CANCEL]),
            )
            return
        t.st.data.setdefault("_nonce", t.ctx.new_id())
        t.say(
            M("Send this question to an officer?"),
            str(t.st.data["description"]),
            buttons=t.options([SEND, CANCEL], 2),
        )

    def on_text(self, t: Turn, text: str) -> None:
        if not text.strip():
            self.prompt(t)
            return
        if t.st.step == "confirm":
            chosen = t.ctx.understand.choice(text, (SEND, CANCEL))
            if chosen is not None:
                self.on_choice(t, chosen)
                return
            # More words before sending: they belong to the same question.
            t.st.data["description"] = f"{t.st.data['description']}\n{text.strip()}"
        else:
            t.st.data["description"] = text.strip()
            t.st.step = "confirm"
        t.next_question()
        self.prompt(t)

    def on_choice(self, t: Turn, choice: str) -> None:
        if choice == CANCEL.id:
            t.st.clear_flow()
            t.say(M("Cancelled. Nothing was sent."), buttons=[[global_button("menu", M("Menu"))]])
        elif t.st.step == "confirm" and choice == SEND.id:
            data = {"category": "question", "description": t.st.data["description"]}
            ticket = build_ticket(
                data,
                kind="question",
                ctx=t.ctx,
                lang=t.st.lang,
                role=t.st.role,
                idempotency_key=str(t.st.data["_nonce"]),
            )
            t.emit(TicketOpened(ticket))
            t.st.clear_flow()
            confirm_ticket(t, ticket.ref, ticket.owner, ticket.copied, ticket.priority, question=True)
        else:
            super().on_choice(t, choice)


class Erase(Handler):
    """/hapusdata: one confirmation, then everything about the person is erased by the caller.
    Only the button erases: typed words are never read as a yes to something this final."""

    flow_id = "erase"
    may_pass = False
    YES = Option("erase", M("Yes, erase my data"))
    NO = Option("keep", M("No, keep it"))

    def start(self, t: Turn) -> None:
        t.st.flow, t.st.step, t.st.data = self.flow_id, "confirm", {}
        t.next_question()
        self.prompt(t)

    def prompt(self, t: Turn) -> None:
        t.say(
            M(
                "This erases your personal data: your answers, contact details and conversation. "
                "Closed reports are kept without your name; open ones are closed and the agency is "
                "told."
            ),
            M("Erase now?"),
            buttons=t.options([self.YES, self.NO], 2),
        )

    def on_choice(self, t: Turn, choice: str) -> None:
        if choice == self.YES.id:
            t.emit(DataErasureRequested(t.ctx.now))
            lang, turn = t.st.lang, t.st.turn
            t.st.__dict__.update(State().__dict__)
            t.st.lang, t.st.turn = lang, turn + 1
            t.say(M("Your data has been erased. If you need us again, write /start."))
        elif choice == self.NO.id:
            t.st.clear_flow()
            t.say(M("Nothing was erased."), buttons=[[global_button("menu", M("Menu"))]])
        else:
            super().on_choice(t, choice)
