"""The /status flow: my tickets, one ticket's thread, and adding information to it."""

from __future__ import annotations

from flows.conversation import Handler, Turn, global_button
from flows.events import Evidence, ReporterMessageAdded
from flows.incoming import AttachmentIn, LocationIn
from flows.ports import TicketView
from flows.steps import Option
from flows.text import M, Text
from flows.vocab import AGENCY_NAMES, STATUS_NAMES, category_label

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

    def on_text(self, t: Turn, text: str) -> None:
        if t.st.step != "add":
            super().on_text(t, text)
            return
        clean = text.strip()
        if not clean:
            self.prompt(t)
            return
        add_to_ticket(t, str(t.st.data["ref"]), clean[:4000])

    def on_location(self, t: Turn, location: LocationIn) -> None:
        if t.st.step != "add":
            super().on_location(t, location)
            return
        where = f"📍 {location.latitude:.5f}, {location.longitude:.5f}"
        add_to_ticket(t, str(t.st.data["ref"]), where)

    def on_attachment(self, t: Turn, attachment: AttachmentIn) -> None:
        if t.st.step != "add":
            super().on_attachment(t, attachment)
            return
        evidence = Evidence(
            attachment.kind, attachment.file_id, attachment.mime_type, attachment.size, attachment.name
        )
        add_to_ticket(t, str(t.st.data["ref"]), attachment.caption.strip(), (evidence,))


def add_to_ticket(t: Turn, ref: str, text: str, evidence: tuple[Evidence, ...] = ()) -> None:
    """Add the reporter's words or files to their own ticket, then go back to where they were."""
    if t.ctx.tickets.my_ticket(ref) is None:
        t.say(M("I cannot find that report among yours."))
        return
    t.emit(ReporterMessageAdded(ref, text, evidence, t.ctx.now))
    t.say(M("Added to {ref}. The officer will see it.", ref=ref), ticket_ref=ref)
    if t.st.flow == Status.flow_id:
        t.st.clear_flow()


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
            agency = AGENCY_NAMES.get(entry.author, AGENCY_NAMES["kp2mi"])
            lines.append(M("Officer {agency}: {text}", agency=agency, text=entry.text))
    return lines
