"""Runs flows declared as data (report, help): asks each step, validates answers, shows the summary
and opens the ticket on confirmation."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flows.checkin import offer
from flows.conversation import Handler, Turn, global_button
from flows.events import Evidence, TicketOpened
from flows.incoming import AttachmentIn, ContactIn, LocationIn
from flows.replies import Urgency
from flows.steps import END, Ask, Choose, Collect, Confirm, Flow, Option, Step, resolve
from flows.text import M, Msg, Text
from flows.tickets import build_ticket
from flows.vocab import AGENCY_NAMES, category_label, country_label

MAX_EVIDENCE = 10
MIN_PHONE_DIGITS = 6
SEND = Option("send", M("Send report"))
EDIT = Option("edit", M("Edit"))
CANCEL = Option("cancel", M("Cancel"))
DONE = Option("done", M("Done"))
SEND_NOW = Option("later", M("I will send them now"))
SKIP = Option("skip", M("Skip"))


class FlowHandler(Handler):
    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self.flow_id = flow.id

    # -- entering and asking -------------------------------------------------------------------
    def start(self, t: Turn, prefill: dict[str, Any] | None = None) -> None:
        t.st.flow, t.st.step, t.st.data = self.flow.id, self.flow.start, dict(prefill or {})
        t.st.paused = None
        t.next_question()
        self.prompt(t)

    def current(self, t: Turn) -> Step:
        return self.flow.steps[t.st.step or self.flow.start]

    def prompt(self, t: Turn) -> None:
        step = self.current(t)
        if isinstance(step, Choose):
            t.say(*step.prompt, buttons=t.options(step.options, step.columns))
        elif isinstance(step, Ask):
            buttons = t.options([step.skip]) if step.skip else []
            t.say(*step.prompt, buttons=buttons, ask_location=step.kind == "place")
        elif isinstance(step, Collect):
            count = len(t.st.data.get(step.field) or [])
            if count:
                t.say(
                    M("Received {count} file(s). Send more, or press Done.", count=count),
                    buttons=t.options([DONE]),
                )
            else:
                t.say(*step.prompt, buttons=t.options([SEND_NOW, SKIP], 2))
        else:
            self._summary(t, step)

    def _go(self, t: Turn, target: str) -> None:
        """Move on to ``target``. While editing, a step that already has an answer is skipped
        straight to the summary, so changing one answer does not mean re-answering all."""
        data = t.st.data
        if target != END and data.get("_editing"):
            step = self.flow.steps[target]
            if not isinstance(step, Confirm) and step.field in data:
                target = self._summary_id()
        if target == END:
            t.st.clear_flow()
            return
        t.st.step = target
        t.next_question()
        self.prompt(t)

    def _summary_id(self) -> str:
        return next(s.id for s in self.flow.steps.values() if isinstance(s, Confirm))

    def _answer(self, t: Turn, step: Step, value: Any) -> None:
        assert not isinstance(step, Confirm)
        t.st.data[step.field] = value
        self._go(t, resolve(step.next, t.st.data))

    # -- input -------------------------------------------------------------------------------
    def on_choice(self, t: Turn, choice: str) -> None:
        step = self.current(t)
        if isinstance(step, Choose):
            if any(o.id == choice for o in step.options):
                self._answer(t, step, choice)
                return
        elif isinstance(step, Ask):
            if step.skip is not None and choice == step.skip.id:
                self._answer(t, step, "")
                return
        elif isinstance(step, Collect):
            if choice in (DONE.id, SKIP.id):
                t.st.data.setdefault(step.field, [])
                self._go(t, resolve(step.next, t.st.data))
                return
            if choice == SEND_NOW.id:
                t.say(
                    M("Send the photos or documents now. Press Done when you have finished."),
                    buttons=t.options([DONE]),
                )
                return
        elif self._confirm_choice(t, step, choice):
            return
        super().on_choice(t, choice)

    def on_text(self, t: Turn, text: str) -> None:
        step = self.current(t)
        if not isinstance(step, Ask):
            super().on_text(t, text)
            return
        clean = " ".join(text.split()) if step.kind != "text" else text.strip()
        if not clean:
            t.say(M("That message was empty. Please write your answer."))
            self.prompt(t)
            return
        if len(clean) > step.max_len:
            t.say(M("That is a bit long: please keep it under {limit} characters.", limit=step.max_len))
            self.prompt(t)
            return
        if step.kind == "phone" and sum(c.isdigit() for c in clean) < MIN_PHONE_DIGITS:
            t.say(M("Please include the phone number (at least {count} digits).", count=MIN_PHONE_DIGITS))
            self.prompt(t)
            return
        self._answer(t, step, clean)

    def on_location(self, t: Turn, location: LocationIn) -> None:
        step = self.current(t)
        if isinstance(step, Ask) and step.kind == "place":
            t.st.data["location"] = [location.latitude, location.longitude]
            self._answer(t, step, t.st.data.get(step.field) or "")
            return
        super().on_location(t, location)

    def on_contact(self, t: Turn, contact: ContactIn) -> None:
        step = self.current(t)
        if isinstance(step, Ask) and step.kind == "phone":
            self._answer(t, step, contact.phone)
            return
        super().on_contact(t, contact)

    def on_attachment(self, t: Turn, attachment: AttachmentIn) -> None:
        step = self.current(t)
        if isinstance(step, Collect | Ask) and (isinstance(step, Collect) or step.accepts_files):
            files = t.st.data.setdefault("evidence", [])
            if len(files) >= MAX_EVIDENCE:
                if isinstance(step, Ask):
                    t.say(M("That is the most files one report can hold."))
                    self.prompt(t)
                else:
                    t.say(
                        M("That is the most files one report can hold. Press Done to continue."),
                        buttons=t.options([DONE]),
                    )
                return
            files.append(
                asdict(
                    Evidence(
                        attachment.kind,
                        attachment.file_id,
                        attachment.mime_type,
                        attachment.size,
                        attachment.name,
                    )
                )
            )
            _keep_caption(t.st.data, attachment.caption)
            if isinstance(step, Ask):
                # A voice note or photo can be the whole story.
                self._answer(t, step, t.st.data.get(step.field) or "")
            else:
                self.prompt(t)
            return
        super().on_attachment(t, attachment)

    # -- summary and confirmation ------------------------------------------------------------
    def _summary(self, t: Turn, step: Confirm) -> None:
        data = t.st.data
        data.pop("_editing", None)
        data.setdefault("_nonce", t.ctx.new_id())
        t.say(*summary_lines(data), buttons=t.options([SEND, EDIT, CANCEL], 3))

    def _confirm_choice(self, t: Turn, step: Step, choice: str) -> bool:
        if not isinstance(step, Confirm):
            return False
        if choice == SEND.id:
            self.open_ticket(t)
            return True
        if choice == CANCEL.id:
            t.st.clear_flow()
            t.say(M("Cancelled. Nothing was sent."), buttons=[[global_button("menu", M("Menu"))]])
            return True
        if choice == EDIT.id:
            t.next_question()
            options = [Option(f"edit:{target}", label) for target, label in step.editable]
            t.say(M("Which part do you want to change?"), buttons=t.options(options, 2))
            return True
        if choice.startswith("edit:") and choice[5:] in dict(step.editable):
            t.st.data["_editing"] = True
            t.st.step = choice[5:]
            t.next_question()
            self.prompt(t)
            return True
        return False

    def open_ticket(self, t: Turn, urgent: bool = False, kind: str | None = None) -> str:
        data = t.st.data
        ticket = build_ticket(
            data,
            kind=kind or self.flow.id,
            ctx=t.ctx,
            lang=t.st.lang,
            role=t.st.role,
            idempotency_key=str(data.get("_nonce") or t.ctx.new_id()),
            urgent=urgent,
        )
        t.emit(TicketOpened(ticket))
        if ticket.country and ticket.country != "other":
            t.st.country = ticket.country
        t.st.clear_flow()
        t.st.emergency_seen = []
        confirm_ticket(t, ticket.ref, ticket.owner, ticket.copied, ticket.priority)
        if ticket.priority == "urgent" and ticket.victim == "self":
            offer(t, ticket.ref)
        return ticket.ref


def confirm_ticket(
    t: Turn, ref: str, owner: str, copied: tuple[str, ...], priority: str, question: bool = False
) -> None:
    """What the reporter sees once the ticket exists: the reference, who answers, what next."""
    lines: list[Text] = [
        M("We have received your question. Reference: <b>{ref}</b>", ref=ref)
        if question
        else M("We have received your report. Reference: <b>{ref}</b>", ref=ref),
        M("{agency} officers will answer in this chat.", agency=AGENCY_NAMES[owner]),
    ]
    for agency in copied:
        lines.append(M("{agency} also receives a copy.", agency=AGENCY_NAMES[agency]))
    lines.append(M("Keep this number. Check any time with /status. If things get worse, type /darurat."))
    urgency = Urgency.URGENT if priority == "urgent" else Urgency.NORMAL
    t.say(*lines, urgency=urgency, ticket_ref=ref)


def summary_lines(data: dict[str, Any]) -> list[Text]:
    lines: list[Text] = [M("Please check:")]
    lines.append(M("• Type: {category}", category=category_label(str(data.get("category")))))
    if data.get("recruiter"):
        lines.append(M("• Recruiter: {name}", name=str(data["recruiter"])))
    if data.get("victim_name"):
        lines.append(
            M(
                "• Person: {name} ({relation})",
                name=str(data["victim_name"]),
                relation=str(data.get("victim_relation") or "-"),
            )
        )
        if data.get("victim_minor") == "yes":
            lines.append(M("• Under 18"))
    lines.append(M("• Location: {place}", place=place_text(data)))
    if data.get("last_contact"):
        lines.append(M("• Last contact: {when}", when=str(data["last_contact"])))
    story = str(data.get("description") or "")
    if story:
        lines.append(M("• Story: {story}", story=_shorten(story, 300)))
    files = len(data.get("evidence") or [])
    if files:
        lines.append(M("• Evidence: {count} file(s)", count=files))
    if data.get("contact") == "phone":
        lines.append(M("• Contact: {phone}", phone=str(data.get("contact_phone") or "")))
    else:
        lines.append(M("• Contact: through this chat"))
    return lines


def place_text(data: dict[str, Any]) -> Msg | str:
    country: Msg | str = country_label(data.get("country")) or ""
    if data.get("country") == "other":
        country = str(data.get("country_other") or "")
    city = str(data.get("city") or "")
    if data.get("location") and not city:
        return M("shared location, {country}", country=country)
    if city:
        return M("{city}, {country}", city=city, country=country)
    return country


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _keep_caption(data: dict[str, Any], caption: str) -> None:
    """Words written under a photo belong to the story: added to the description, which staff
    read, rather than lost with the file's metadata."""
    words = caption.strip()
    if words:
        before = str(data.get("description") or "")
        data["description"] = f"{before}\n{words}" if before else words
