"""The /status flow: my tickets, one ticket's thread, and adding information to it."""

from __future__ import annotations

from flows.conversation import Handler, Turn, global_button
from flows.events import Evidence
from flows.incoming import AttachmentIn, ContactIn, LocationIn
from flows.ports import TicketView
from flows.steps import Option
from flows.text import M, Text
from flows.thread import add
from flows.vocab import STATUS_NAMES, agency_name, category_label

THREAD_SHOWN = 10
ADD = Option("add", M("Add information"))
BACK = Option("back", M("Back to my reports"))


class Status(Handler):
    flow_id = "status"

    def start(self, t: Turn) -> None:
        t.st.flow, t.st.step, t.st.data = self.flow_id, "list", {}
        t.next_question()
        self.prompt(t)

    def prompt(self, t: Turn) -> None:
        step = t.st.step
        if step == "list":
            tickets = t.ctx.tickets.my_tickets()
            if not tickets:
                t.st.clear_flow()
                t.say(
                    M("You have no reports yet. To make one: /lapor or /bantuan."),
                    buttons=[[global_button("menu", M("Menu"))]],
                )
                return
            lines: list[Text] = [M("Your reports:")]
            for s in tickets[:20]:
                lines.append(
                    M(
                        "• {ref} — {category} — {status} ({date})",
                        ref=s.ref,
                        category=category_label(s.category),
                        status=STATUS_NAMES.get(s.status, M("received")),
                        date=s.created_at.date(),
                    )
                )
            options = [Option(f"ref:{s.ref}", s.ref) for s in tickets[:20]]
            t.say(*lines, buttons=t.options(options, 2))
        elif step == "view":
            view = t.ctx.tickets.my_ticket(str(t.st.data.get("ref")))
            if view is None:
                self.start(t)
                return
            t.say(*thread_lines(view), buttons=t.options([ADD, BACK], 2), ticket_ref=view.summary.ref)
        elif step == "add":
            t.say(M("Write what you want to add, or send a photo or document."), buttons=t.options([BACK]))

    def on_choice(self, t: Turn, choice: str) -> None:
        if t.st.step == "list" and choice.startswith("ref:"):
            self.open(t, choice[4:])
        elif t.st.step in ("view", "add") and choice == BACK.id:
            t.st.step = "list"
            t.next_question()
            self.prompt(t)
        elif t.st.step == "view" and choice == ADD.id:
            t.st.step = "add"
            t.next_question()
            self.prompt(t)
        else:
            super().on_choice(t, choice)

    def open(self, t: Turn, ref: str) -> None:
        """Show one ticket; an unknown ref and a stranger's ref get the same answer."""
        if t.ctx.tickets.my_ticket(ref) is None:
            t.say(M("I cannot find that report among yours."))
            t.st.flow, t.st.step, t.st.data = self.flow_id, "list", {}
        else:
            t.st.flow, t.st.step, t.st.data = self.flow_id, "view", {"ref": ref}
        t.next_question()
        self.prompt(t)

    def takes_input(self, t: Turn) -> bool:
        # On the list, words are not a choice of report: they are said to whichever report the
        # person is talking about, as outside any flow. On one report's page they go to it.
        return t.st.step in ("view", "add")

    def on_text(self, t: Turn, text: str) -> None:
        clean = text.strip()
        if not clean:
            self.prompt(t)
            return
        self._add(t, clean)

    def on_location(self, t: Turn, location: LocationIn) -> None:
        self._add(t, location_text(location))

    def on_contact(self, t: Turn, contact: ContactIn) -> None:
        self._add(t, contact_text(contact))

    def on_attachment(self, t: Turn, attachment: AttachmentIn) -> None:
        self._add(t, attachment.caption.strip(), (attachment.as_evidence(),))

    def _add(self, t: Turn, text: str, evidence: tuple[Evidence, ...] = ()) -> None:
        """Into the report on screen; the person's next messages follow it there."""
        ref = str(t.st.data["ref"])
        t.st.clear_flow()
        add(t, ref, text, evidence)


def location_text(location: LocationIn) -> str:
    return f"📍 {location.latitude:.5f}, {location.longitude:.5f}"


def contact_text(contact: ContactIn) -> str:
    return f"📞 {contact.phone}"


def thread_lines(view: TicketView) -> list[Text]:
    s = view.summary
    lines: list[Text] = [
        M(
            "<b>{ref}</b> — {category} — {status}",
            ref=s.ref,
            category=category_label(s.category),
            status=STATUS_NAMES.get(s.status, M("received")),
        ),
    ]
    entries = view.thread[-THREAD_SHOWN:]
    if not entries:
        lines.append(M("No answer yet. An officer will write here."))
    for entry in entries:
        if entry.author == "reporter":
            lines.append(M("You: {text}", text=entry.text or "📎"))
        else:
            agency = agency_name(entry.author)
            lines.append(M("Officer {agency}: {text}", agency=agency, text=entry.text))
    return lines
