"""Runs flows declared as data (report, help): asks each step, validates answers, shows the summary
and opens the ticket on confirmation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import datetime
from typing import Any

from flows.checkin import offer
from flows.conversation import Handler, Turn, global_button, keep_note
from flows.emergency import show_emergency
from flows.events import TicketOpened
from flows.incoming import AttachmentIn, ContactIn, LocationIn
from flows.recruiter_facts import RISK_NAMES, company_text
from flows.replies import Urgency
from flows.steps import END, Ask, Choose, Collect, Confirm, Flow, Option, Step, resolve
from flows.text import M, Text
from flows.thread import BURST, remember
from flows.tickets import build_ticket
from flows.vocab import agency_name, category_label, country_label

MAX_EVIDENCE = 10
SUMMARY_STORY = 600  # characters of the story the person sees again before sending
MIN_PHONE_DIGITS = 6
SEND = Option("send", M("Send report"))
EDIT = Option("edit", M("Edit"))
CANCEL = Option("cancel", M("Cancel"))
DONE = Option("done", M("Done"))
SEND_NOW = Option("later", M("I will send them now"), means="yes")
SKIP = Option("skip", M("Skip"), means="no")


class FlowHandler(Handler):
    keeps_notes = True

    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self.flow_id = flow.id

    # -- entering and asking -------------------------------------------------------------------
    def start(self, t: Turn, prefill: dict[str, Any] | None = None) -> None:
        """Begin the flow. A question whose answer the prefill already holds is not asked again
        ("report this recruiter" knows the category): the first one left opens with the start
        step's own greeting and what was filled in."""
        data = dict(prefill or {})
        step_id = self.flow.start
        while step_id != END:
            step = self.flow.steps[step_id]
            if not isinstance(step, Choose | Ask) or not data.get(step.field):
                break
            step_id = resolve(step.next, data)
        t.st.flow, t.st.step, t.st.data = self.flow.id, step_id, data
        t.st.paused = None
        self._go(t, step_id)
        if step_id != self.flow.start and t.replies:
            start = self.flow.steps[self.flow.start]
            greeting = start.prompt[:-1] if isinstance(start, Choose | Ask) else ()
            first = t.replies[-1]
            t.replies[-1] = replace(first, lines=(*greeting, *prefilled_lines(data), *first.lines))
        elif data.get("notes") and t.replies:
            # Words written before the report began (after the emergency card, before consent):
            # shown above the first question, so the person knows they are in it.
            first = t.replies[-1]
            lines = (*first.lines[:-1], *prefilled_lines(data), *first.lines[-1:])
            t.replies[-1] = replace(first, lines=lines)

    def options_shown(self, t: Turn) -> Sequence[Option]:
        step = self.current(t)
        if isinstance(step, Choose):
            return step.options
        if isinstance(step, Ask):
            return (step.skip,) if step.skip else ()
        if isinstance(step, Collect):
            return (DONE,) if t.st.data.get(step.field) else (SEND_NOW, SKIP)
        return (SEND, EDIT, CANCEL)

    def resume(self, t: Turn) -> None:
        # Through _go: a country chosen on the card meanwhile answers the country question.
        self._go(t, t.st.step or self.flow.start)

    def current(self, t: Turn) -> Step:
        return self.flow.steps[t.st.step or self.flow.start]

    def prompt(self, t: Turn) -> None:
        step = self.current(t)
        if isinstance(step, Choose):
            t.say(*step.prompt, buttons=t.options(step.options, step.columns))
        elif isinstance(step, Ask):
            buttons = t.options([step.skip]) if step.skip else []
            t.say(*step.prompt, buttons=buttons)
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

    def _go(self, t: Turn, target: str, ask: bool = True) -> None:
        """Move on to ``target``. While editing, a step that already has an answer is skipped
        straight to the summary, so changing one answer does not mean re-answering all; a
        country already known (chosen on the emergency card) is not asked again either. With
        ``ask`` False the next question waits (the emergency card is shown first)."""
        data = t.st.data
        while target != END:
            step = self.flow.steps[target]
            if data.get("_editing") and not isinstance(step, Confirm) and step.field in data:
                target = self._summary_id()
                break
            if isinstance(step, Choose) and step.countries and data.get(step.field) not in (None, "other"):
                target = resolve(step.next, data)
                continue
            break
        if target == END:
            t.st.clear_flow()
            return
        t.st.step = target
        t.next_question()
        if ask:
            self.prompt(t)

    def _summary_id(self) -> str:
        return next(s.id for s in self.flow.steps.values() if isinstance(s, Confirm))

    def _answer(self, t: Turn, step: Step, value: Any, ask: bool = True) -> None:
        assert not isinstance(step, Confirm)
        t.st.data[step.field] = value
        alarm = isinstance(step, Choose) and step.emergency is not None and value == step.emergency
        self._go(t, resolve(step.next, t.st.data), ask=ask and not alarm)
        if alarm:
            # "In danger right now": the numbers first, with one tap to send what is known now.
            show_emergency(t)

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
        understand = t.ctx.understand
        if isinstance(step, Ask):
            self._text_answer(t, step, text)
        elif isinstance(step, Choose):
            chosen = understand.country(text) if step.countries else understand.choice(text, step.options)
            if chosen is not None:
                self._answer(t, step, chosen)
            else:
                self.missed(t, text)
        elif isinstance(step, Collect):
            options = [DONE] if t.st.data.get(step.field) else [SEND_NOW, SKIP]
            # Right after the story, a longer text goes on with it; only a word or two is an answer.
            chosen = understand.choice(text, options) if len(text.split()) <= 2 else None
            if chosen is not None:
                self.on_choice(t, chosen)
            elif not text.strip():
                self.prompt(t)
            else:
                # The story goes on over several messages: one story.
                _add_to_story(t.st.data, text)
                if _first_of_burst(t):
                    t.say(M("I added this to your story."))
                    self.prompt(t)
        else:
            chosen = understand.choice(text, (SEND, EDIT, CANCEL))
            if chosen is not None:
                self._confirm_choice(t, step, chosen)
            elif not text.strip():
                self.prompt(t)
            else:
                keep_note(t.st.data, text)
                if _first_of_burst(t):
                    t.say(M("I added this to your report."))
                    self.prompt(t)

    def _text_answer(self, t: Turn, step: Ask, text: str) -> None:
        clean = " ".join(text.split()) if step.kind != "text" else text.strip()
        if not clean:
            t.say(M("That message was empty. Please write your answer."))
            self.prompt(t)
            return
        if step.skip is not None and t.ctx.understand.choice(clean, (step.skip,)) is not None:
            self._answer(t, step, "")  # "tidak tahu" where the question may be skipped
            return
        if step.max_len is not None and len(clean) > step.max_len:
            keep_note(t.st.data, text)
            t.say(M("I have kept what you wrote for the officer. Please answer in a few words."))
            self.prompt(t)
            return
        if step.kind == "phone" and sum(c.isdigit() for c in clean) < MIN_PHONE_DIGITS:
            keep_note(t.st.data, text)
            t.say(M("Please include the phone number (at least {count} digits).", count=MIN_PHONE_DIGITS))
            self.prompt(t)
            return
        if step.country:
            code = t.ctx.understand.country(clean)
            if code is not None:
                t.st.data["country"] = code
        if step.kind == "text" and t.st.data.get(step.field) and not t.st.data.get("_editing"):
            # Already begun (the words with danger words in them, say): this continues it.
            clean = f"{t.st.data[step.field]}\n{clean}"
        self._answer(t, step, clean)

    def keep(self, t: Turn, text: str) -> None:
        """Words sent with danger words in them, kept without asking anything next (the card
        comes instead): the answer when the step asked for the story, a note otherwise."""
        step = self.current(t)
        words = text.strip()
        if not words:
            return
        if isinstance(step, Ask) and step.kind == "text":
            before = str(t.st.data.get(step.field) or "")
            self._answer(t, step, f"{before}\n{words}" if before else words, ask=False)
        elif isinstance(step, Collect):
            _add_to_story(t.st.data, words)
        else:
            keep_note(t.st.data, words)

    def keep_file(self, t: Turn, attachment: AttachmentIn) -> None:
        """A file whose caption holds danger words: kept as evidence, the caption as ``keep``."""
        files = t.st.data.setdefault("evidence", [])
        if len(files) < MAX_EVIDENCE:
            files.append(asdict(attachment.as_evidence()))
        step = self.current(t)
        if isinstance(step, Ask) and step.accepts_files and not attachment.caption.strip():
            self._answer(t, step, t.st.data.get(step.field) or "", ask=False)
        else:
            self.keep(t, attachment.caption)

    def on_location(self, t: Turn, location: LocationIn) -> None:
        step = self.current(t)
        t.st.data["location"] = [location.latitude, location.longitude]
        if isinstance(step, Ask) and step.kind == "place":
            self._answer(t, step, t.st.data.get(step.field) or "")
            return
        t.say(M("Thank you, I have kept your location for the officer."))
        self.prompt(t)

    def on_contact(self, t: Turn, contact: ContactIn) -> None:
        step = self.current(t)
        if isinstance(step, Ask) and step.kind == "phone":
            self._answer(t, step, contact.phone)
            return
        keep_note(t.st.data, f"📞 {contact.phone}")
        t.say(M("Thank you, I have kept this number for the officer."))
        self.prompt(t)

    def on_attachment(self, t: Turn, attachment: AttachmentIn) -> None:
        step = self.current(t)
        files = t.st.data.setdefault("evidence", [])
        takes_files = isinstance(step, Collect) or (isinstance(step, Ask) and step.accepts_files)
        if len(files) >= MAX_EVIDENCE:
            _keep_caption(t.st.data, attachment.caption)
            if isinstance(step, Collect):
                t.say(
                    M("That is the most files one report can hold. Press Done to continue."),
                    buttons=t.options([DONE]),
                )
            else:
                t.say(M("That is the most files one report can hold."))
                self.prompt(t)
            return
        files.append(asdict(attachment.as_evidence()))
        if not takes_files:
            keep_note(t.st.data, attachment.caption)
            t.say(M("Thank you, I have kept this file for the officer."))
            self.prompt(t)
            return
        _keep_caption(t.st.data, attachment.caption)
        if isinstance(step, Ask):
            # A voice note or photo can be the whole story.
            self._answer(t, step, t.st.data.get(step.field) or "")
        else:
            self.prompt(t)

    def pass_to_officer(self, t: Turn) -> None:
        """The person cannot find the answer among the buttons: the report goes now, with what
        they wrote in it, and the officer asks the rest in the thread."""
        t.st.data.setdefault("_nonce", t.ctx.new_id())
        self.open_ticket(t)

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

    def open_ticket(
        self, t: Turn, urgent: bool = False, kind: str | None = None, then: Sequence[Text] = ()
    ) -> str:
        """The ticket, and the receipt the person reads (with ``then``, what to do next, in the
        same message, before any offer with buttons)."""
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
        t.st.emergency_seen, t.st.card_country = [], None
        remember(t, ticket.ref)
        confirm_ticket(t, ticket.ref, ticket.owner, ticket.copied, ticket.priority, then=then)
        if ticket.priority == "urgent" and ticket.victim == "self":
            offer(t, ticket.ref)
        return ticket.ref


def confirm_ticket(
    t: Turn,
    ref: str,
    owner: str,
    copied: tuple[str, ...],
    priority: str,
    question: bool = False,
    then: Sequence[Text] = (),
) -> None:
    """What the reporter sees once the ticket exists: the reference, who answers, what next."""
    lines: list[Text] = [
        M("We have received your question. Reference: <b>{ref}</b>", ref=ref)
        if question
        else M("We have received your report. Reference: <b>{ref}</b>", ref=ref),
        M("{agency} officers will answer in this chat.", agency=agency_name(owner)),
    ]
    for agency in copied:
        lines.append(M("{agency} also receives a copy.", agency=agency_name(agency)))
    lines.append(M("Keep this number. Check any time with /status. If things get worse, type /darurat."))
    if then:
        lines += ["", *then]
    urgency = Urgency.URGENT if priority == "urgent" else Urgency.NORMAL
    t.say(*lines, urgency=urgency, ticket_ref=ref)


def summary_lines(data: dict[str, Any]) -> list[Text]:
    lines: list[Text] = [M("Please check:")]
    lines.append(M("• Type: {category}", category=category_label(str(data.get("category")))))
    lines += _recruiter_lines(data)
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
        elif data.get("victim_minor") == "unsure":
            lines.append(M("• Under 18: not sure"))
    lines.append(M("• Location: {place}", place=place_text(data)))
    if data.get("last_contact"):
        lines.append(M("• Last contact: {when}", when=str(data["last_contact"])))
    story = str(data.get("description") or "")
    if story:
        lines.append(M("• Story: {story}", story=_shorten(story, SUMMARY_STORY)))
        if len(story) > SUMMARY_STORY:
            lines.append(M("(shortened here; the officer receives the whole text)"))
    notes = [str(n) for n in data.get("notes") or ()]
    if notes:
        lines.append(M("• Also written: {notes}", notes=_shorten(" / ".join(notes), SUMMARY_STORY)))
    files = len(data.get("evidence") or [])
    if files:
        lines.append(M("• Evidence: {count} file(s)", count=files))
    if data.get("contact") == "phone":
        lines.append(M("• Contact: {phone}", phone=str(data.get("contact_phone") or "")))
    else:
        lines.append(M("• Contact: through this chat"))
    return lines


def prefilled_lines(data: dict[str, Any]) -> list[Text]:
    """What a report was started with, shown so the person knows it was not lost."""
    lines: list[Text] = []
    if data.get("category"):
        lines.append(M("• Type: {category}", category=category_label(str(data["category"]))))
    lines += _recruiter_lines(data)
    notes = [str(n) for n in data.get("notes") or ()]
    if notes:
        lines.append(M("• Already written: {notes}", notes=_shorten(" / ".join(notes), SUMMARY_STORY)))
    return lines


def _recruiter_lines(data: dict[str, Any]) -> list[Text]:
    """The recruiter checked with /cek and the verdict of its red-flag questions."""
    lines: list[Text] = []
    company = company_text({k: str(v) for k, v in data.items() if k.startswith("recruiter_") and v})
    if company is not None:
        lines.append(M("• Recruiter: {name}", name=company))
    elif data.get("recruiter"):
        lines.append(M("• Recruiter: {name}", name=str(data["recruiter"])))
    if data.get("red_flag_risk") in RISK_NAMES:
        lines.append(M("• Red-flag check: {risk}", risk=RISK_NAMES[data["red_flag_risk"]]))
    return lines


def place_text(data: dict[str, Any]) -> Text:
    country: Text = country_label(data.get("country")) or ""
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
    _add_to_story(data, caption)


def _add_to_story(data: dict[str, Any], text: str) -> None:
    words = text.strip()
    if words:
        before = str(data.get("description") or "")
        data["description"] = f"{before}\n{words}" if before else words


def _first_of_burst(t: Turn) -> bool:
    """True for the first of messages sent close together at one step (one answer for a burst),
    and notes the time for the next one."""
    data, now = t.st.data, t.ctx.now
    last = data.get("_more_at")
    data["_more_at"] = [t.st.step, now.isoformat()]
    if not isinstance(last, list) or len(last) != 2 or last[0] != t.st.step:
        return True
    try:
        return now - datetime.fromisoformat(str(last[1])) >= BURST
    except ValueError:
        return True
