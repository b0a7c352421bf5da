"""The dialogue engine: one entry point, ``step(state, incoming, ctx) -> Result``.

No I/O happens here. The caller loads the state, calls ``step``, saves the new state and acts on
the events in one transaction. Order of precedence for each message: danger words (from any step,
even before onboarding, in a file's caption too), commands, global buttons, then the flow in
progress; outside a flow, what the person sends joins the thread of their open ticket. Nothing
sent is dropped without the person being told, and no text is ever cut."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from flows.assist import ASSIST
from flows.check import Check, report_prefill
from flows.checkin import is_care_button, on_button
from flows.clear_chat import ClearChat
from flows.conversation import GLOBAL, Handler, Turn, global_button
from flows.declarative import FlowHandler
from flows.emergency import (
    CARD_COUNTRY,
    card_country,
    card_location,
    card_words,
    danger_in,
    keep_for_card,
    show_emergency,
)
from flows.events import ConsentGiven, Event
from flows.incoming import (
    AttachmentIn,
    ChoiceIn,
    CommandIn,
    ContactIn,
    Incoming,
    LocationIn,
    TextIn,
)
from flows.info import Info
from flows.menu import COMMAND_LINE, canonical, show_menu
from flows.notice_setting import is_notice_button, on_notice_button
from flows.officer import Erase, Officer
from flows.onboarding import LANGUAGES, Onboarding, set_language
from flows.ports import Context
from flows.reference import normalise_reference
from flows.replies import Reply, Urgency
from flows.report import REPORT
from flows.state import State
from flows.status import Status, contact_text, location_text
from flows.text import M
from flows.thread import CHOOSE, chosen, join, open_tickets, remember, target
from flows.thread import add as add_to_thread
from flows.vocab import COUNTRIES

REPORT_HANDLER = FlowHandler(REPORT)
ASSIST_HANDLER = FlowHandler(ASSIST)
ONBOARDING = Onboarding()
OFFICER = Officer()
STATUS = Status()
HANDLERS: dict[str, Handler] = {
    h.flow_id: h
    for h in (
        REPORT_HANDLER,
        ASSIST_HANDLER,
        ONBOARDING,
        Check(),
        STATUS,
        Info(),
        OFFICER,
        Erase(),
        ClearChat(),
    )
}
# Commands that store personal data need consent first; the others work for anyone.
NEEDS_CONSENT = {"lapor": "report", "bantuan": "assist", "status": "status", "officer": "officer"}
# Those that collect something new: consent to an older privacy notice is asked for again first.
COLLECTS = {"lapor", "bantuan", "officer"}
OPEN_TO_ALL = {"cek": "check", "info": "info", "hapusdata": "erase", "hapus": "clear_chat"}


@dataclass(frozen=True)
class Result:
    state: State
    replies: tuple[Reply, ...]
    events: tuple[Event, ...]


def step(state: State, incoming: Incoming, ctx: Context) -> Result:
    """Apply one incoming message. ``state`` is not modified; the new state is returned."""
    t = Turn(State.from_dict(state.to_dict()), ctx)  # to_dict is a deep copy
    if isinstance(incoming, CommandIn | ChoiceIn):
        # The person has moved on from the card (what it kept stays kept for its urgent button).
        t.st.card_listens = False
    if isinstance(incoming, TextIn):
        on_text(t, incoming)
    elif isinstance(incoming, CommandIn):
        run_command(t, incoming.name, incoming.args)
    elif isinstance(incoming, ChoiceIn):
        on_choice(t, incoming.data)
    else:
        on_other(t, incoming)
    if t.then is not None:  # a handler handed the person on to another conversation
        command, args = t.then
        t.then = None
        run_command(t, command, args)
    return Result(t.st, one_message(t.replies), tuple(t.events))


def one_message(replies: list[Reply]) -> tuple[Reply, ...]:
    """The answer to one message as few messages as possible: Telegram paces a chat to about one
    a second, so "Language changed." and the next question, or an urgent report's receipt and
    what to do next, split in two or three made a frightened person wait. A reply is joined to the
    one after it unless it has buttons of its own (they belong under its words), or the two point
    at different tickets; the joined message goes at the more urgent priority."""
    joined: list[Reply] = []
    for reply in replies:
        last = joined[-1] if joined else None
        other_ticket = last is not None and reply.ticket_ref not in (None, last.ticket_ref)
        if last is None or last.buttons or (last.ticket_ref and other_ticket):
            joined.append(reply)
            continue
        joined[-1] = Reply(
            (*last.lines, "", *reply.lines),
            reply.buttons,
            min(last.urgency, reply.urgency),
            reply.ticket_ref or last.ticket_ref,
        )
    return tuple(joined)


def handler(t: Turn) -> Handler | None:
    return HANDLERS.get(t.st.flow or "")


def active(t: Turn) -> Handler | None:
    """The conversation that takes what the person just sent; None when it goes outside any flow
    (a handler may let go of it, e.g. words sent to the list of reports)."""
    current = handler(t)
    if current is not None and not current.takes_input(t):
        t.st.clear_flow()
        return None
    return current


# Commands that also work typed as a word without the slash ("status", "lapor"): only those that
# cannot surprise anyone (not "start", "hapus", "hapusdata", nor "help", which may be a plea).
TYPED_COMMANDS = {"cek", "lapor", "bantuan", "status", "info", "menu", "bahasa", "batal"}


def run_command(t: Turn, command: str, args: str = "") -> None:
    name = canonical(command) or command
    st = t.st
    st.misunderstood = 0
    st.card_asks_country = False
    if name == "darurat":
        show_emergency(t)
    elif name == "start":
        st.emergency_seen = []
        if st.consent:
            st.clear_flow()
            show_menu(t, M("Welcome back."))
        else:
            ONBOARDING.start(t)
    elif name == "menu":
        show_menu(t)
    elif name == "bahasa":
        t.say(
            M("Choose your language."), buttons=[[global_button(f"lang.{o.id}", o.label) for o in LANGUAGES]]
        )
    elif name == "batal":
        had_flow = st.flow is not None
        dropped = len(st.pending) + len(st.card_story) + len(st.card_files)
        st.clear_flow()
        st.after_onboarding, st.prefill = None, None
        st.emergency_seen, st.pending, st.card_country = [], [], None
        st.card_story, st.card_files, st.card_place = [], [], None
        lines = [
            M("Stopped. Nothing half-entered was sent.")
            if had_flow or dropped
            else M("There was nothing to stop.")
        ]
        t.say(*lines, buttons=[[global_button("menu", M("Menu"))]])
    elif name in OPEN_TO_ALL:
        HANDLERS[OPEN_TO_ALL[name]].start(t)
    elif name in NEEDS_CONSENT:
        if not st.consent:
            st.after_onboarding = name
            ONBOARDING.start(t)
        elif name in COLLECTS and not notice_agreed(t):
            st.after_onboarding = name
            ONBOARDING.ask_again(t)
        elif name == "officer" and args:
            OFFICER.start(t, question=args)
        elif name in ("lapor", "bantuan"):
            prefill, st.prefill = dict(st.prefill or {}), None
            if st.card_country:
                prefill.setdefault("country", st.card_country)
            if st.card_story or st.card_files:
                # Written after the card: the report carries it, for the officer to read.
                prefill["notes"] = [*prefill.get("notes", ()), *card_words(st)]
                prefill["evidence"] = [*prefill.get("evidence", ()), *st.card_files]
                st.card_story, st.card_files = [], []
            handler_for = REPORT_HANDLER if name == "lapor" else ASSIST_HANDLER
            handler_for.start(t, prefill=prefill or None)
        else:
            HANDLERS[NEEDS_CONSENT[name]].start(t)
    else:
        t.say(M("I do not know that command."), COMMAND_LINE)


def notice_agreed(t: Turn) -> bool:
    """Whether the person agreed to the privacy notice as it reads now (unknown counts as yes:
    the service always knows, from the user row)."""
    version = t.st.consent_version
    return t.st.consent and (version is None or version == t.ctx.privacy_version)


def on_text(t: Turn, incoming: TextIn) -> None:
    text = incoming.text
    words = danger_in(incoming)
    if words and not set(words) <= set(t.st.emergency_seen):
        emergency_interrupt(t, text, words, incoming.reply_to_ref)
        return
    if incoming.reply_to_ref:
        add_to_thread(t, incoming.reply_to_ref, text.strip())
        return
    if t.st.card_asks_country:
        t.st.card_asks_country = False
        code = t.ctx.understand.country(text)
        if code is not None:
            card_country(t, code)
            return
    if t.st.card_listens:
        if for_the_card(t, text):
            keep_for_card(t, text)
            return
        t.st.card_listens = False
    current = active(t)
    if current is not None:
        current.on_text(t, text)
        return
    free_text(t, text)


def typed_command(text: str) -> str | None:
    """The command a word typed without its slash names ("status", "lapor"), if any."""
    word = text.strip().lstrip("/").lower()
    command = canonical(word)
    return command if command in TYPED_COMMANDS and word != "help" else None


def own_reference(t: Turn, text: str) -> str | None:
    """A ticket reference the person typed, once they may see their tickets."""
    ref = normalise_reference(text)
    return ref if ref and t.st.consent else None


def for_the_card(t: Turn, text: str) -> bool:
    """Words after the card belong to the urgent report unless they are a typed command or one of
    the person's references, which do what they say (free_text)."""
    return bool(text.strip()) and typed_command(text) is None and own_reference(t, text) is None


def free_text(t: Turn, text: str) -> None:
    """Words outside any flow: a reference of theirs opens it, a command word runs it, anything
    else joins their open ticket; only someone with no ticket is told it was not understood."""
    if not text.strip():
        show_menu(t, M("That message was empty."))
        return
    ref = own_reference(t, text)
    if ref is not None:
        STATUS.open(t, ref)
        return
    command = typed_command(text)
    if command is not None:
        run_command(t, command)
        return
    if join(t, text.strip()):
        t.st.misunderstood = 0
        return
    t.st.misunderstood += 1
    said = str(t.st.data.get("question") or "") if t.st.misunderstood > 1 else ""
    t.st.data["question"] = f"{said}\n{text.strip()}".strip()
    if t.st.misunderstood >= 2 and t.st.consent:
        t.say(
            M("I am a bot and did not understand. An officer can answer you."),
            buttons=[[global_button("ask_officer", M("Ask an officer"))], [global_button("menu", M("Menu"))]],
        )
        return
    show_menu(t, M("Sorry, I did not understand. Please use the buttons or a command."))


def on_choice(t: Turn, data: str) -> None:
    prefix, _, choice = data.partition(".")
    if prefix == GLOBAL:
        on_global(t, choice)
        return
    current = handler(t)
    if not prefix.isdecimal() or len(prefix) > 9 or int(prefix) != t.st.turn or current is None:
        t.say(M("That button is no longer active."))
        if current is not None:
            current.prompt(t)
        else:
            show_menu(t)
        return
    current.on_choice(t, choice)


def on_global(t: Turn, action: str) -> None:
    st = t.st
    if action.startswith("lang.") and action[5:] in {o.id for o in LANGUAGES}:
        set_language(t, action[5:])
        t.say(M("Language changed."))
        current = handler(t)
        if current is ONBOARDING and st.step == "language":
            ONBOARDING.language_chosen(t)
        elif current is not None:
            current.prompt(t)
        else:
            show_menu(t)
    elif action.startswith(f"{CARD_COUNTRY}.") and action.partition(".")[2] in {c.id for c in COUNTRIES}:
        card_country(t, action.partition(".")[2])
    elif action.startswith(f"{CHOOSE}."):
        chosen(t, action.partition(".")[2])
    elif action == "urgent":
        urgent_report(t)
    elif action == "resume":
        resume(t)
    elif action == "report_recruiter":
        prefill = report_prefill(st.data) if st.flow in (None, "check") else None
        if not st.consent:
            st.after_onboarding, st.prefill = "lapor", prefill
            ONBOARDING.start(t)
        elif not notice_agreed(t):
            st.after_onboarding, st.prefill = "lapor", prefill
            ONBOARDING.ask_again(t)
        else:
            REPORT_HANDLER.start(t, prefill=prefill)
    elif action == "ask_officer":
        question = str(st.data.get("question") or "") if st.flow is None else ""
        run_command(t, "officer", question)
    elif action in {"cek", "lapor", "bantuan", "status", "info", "darurat", "bahasa", "menu"}:
        run_command(t, action)
    elif is_care_button(action):
        on_button(t, action)
    elif is_notice_button(action):
        on_notice_button(t, action)
        current = handler(t)
        if current is not None and "." in action:  # chosen in the middle of a flow: carry on
            current.prompt(t)
    else:
        t.say(M("That button is no longer active."))
        show_menu(t)


def on_other(t: Turn, incoming: Incoming) -> None:
    if isinstance(incoming, AttachmentIn):
        words = danger_in(incoming)
        if words and not set(words) <= set(t.st.emergency_seen):
            emergency_file(t, incoming, words)
            return
    if t.st.card_listens:
        if isinstance(incoming, LocationIn):
            keep_for_card(t, location_text(incoming), location=[incoming.latitude, incoming.longitude])
        elif isinstance(incoming, ContactIn):
            keep_for_card(t, contact_text(incoming))
        elif isinstance(incoming, AttachmentIn):
            keep_for_card(t, incoming.caption, asdict(incoming.as_evidence()))
        else:
            keep_for_card(t, "")
        return
    current = active(t)
    if current is not None:
        if isinstance(incoming, LocationIn):
            current.on_location(t, incoming)
        elif isinstance(incoming, ContactIn):
            current.on_contact(t, incoming)
        elif isinstance(incoming, AttachmentIn):
            current.on_attachment(t, incoming)
        return
    if isinstance(incoming, LocationIn):
        if not join(t, location_text(incoming)):
            t.say(M("Thank you. To send it to an officer, start a report with /lapor."))
    elif isinstance(incoming, ContactIn):
        if not join(t, contact_text(incoming)):
            t.say(M("Thank you. To send it to an officer, start a report with /lapor."))
    elif isinstance(incoming, AttachmentIn) and not join(
        t, incoming.caption.strip(), (incoming.as_evidence(),)
    ):
        t.say(M("To send a file to an officer, open your report with /status, or make one with /lapor."))


# -- emergency ---------------------------------------------------------------------------------
def danger_ticket(t: Turn, reply_to_ref: str | None) -> str | None:
    """The open ticket a message with danger words goes to at once, if any: the one replied to,
    or, outside a flow, the one the person is talking about (the most recently active when they
    have not said: in danger nobody is asked which)."""
    if reply_to_ref is not None:
        return reply_to_ref if t.ctx.tickets.my_ticket(reply_to_ref) is not None else None
    if active(t) is not None:
        return None
    tickets = open_tickets(t)
    if not tickets:
        return None
    return target(t, tickets) or tickets[0].ref


def emergency_interrupt(t: Turn, text: str, words: tuple[str, ...], reply_to_ref: str | None = None) -> None:
    """Danger words: the card comes first, whatever step the person is in, and the words are
    remembered so the card is not shown again for them. Nothing is lost: a message for an open
    ticket joins it as urgent; in a report it is the story when the story was asked for, a note
    otherwise, and "continue" goes on from there."""
    st = t.st
    st.emergency_seen = sorted(set(st.emergency_seen) | set(words))
    st.card_place = t.ctx.understand.place_named(text) or st.card_place
    ref = danger_ticket(t, reply_to_ref)
    if ref is not None:
        show_emergency(t, joined=ref)
        add_to_thread(t, ref, text.strip(), danger=True)
        return
    current = handler(t)
    if isinstance(current, FlowHandler):
        current.keep(t, text)
        st.data["emergency_text"] = text.strip()
    else:
        st.card_story.append({"text": text.strip(), "at": None})
    show_emergency(t)


def emergency_file(t: Turn, attachment: AttachmentIn, words: tuple[str, ...]) -> None:
    """Danger words under a photo or file work as in a text; the file is kept the same way."""
    st = t.st
    st.emergency_seen = sorted(set(st.emergency_seen) | set(words))
    caption = attachment.caption.strip()
    st.card_place = t.ctx.understand.place_named(caption) or st.card_place
    ref = danger_ticket(t, None)
    if ref is not None:
        show_emergency(t, joined=ref)
        add_to_thread(t, ref, caption, (attachment.as_evidence(),), danger=True)
        return
    current = handler(t)
    if isinstance(current, FlowHandler):
        current.keep_file(t, attachment)
        st.data["emergency_text"] = caption
    else:
        st.card_files.append(asdict(attachment.as_evidence()))
        st.card_story.append({"text": caption, "at": None})
    show_emergency(t)


def urgent_report(t: Turn) -> None:
    """One tap from the emergency card: an urgent ticket from whatever was entered so far. The
    press is consent for this one report only (the button says it goes to officers); a later
    /lapor still asks for consent. A second press of the same card opens nothing new."""
    st = t.st
    if not st.card_open:
        t.say(
            M("Your urgent report has already been sent. Officers will answer in this chat."),
            buttons=[[global_button("menu", M("Menu"))]],
            urgency=Urgency.URGENT,
        )
        return
    st.card_open = False
    if not st.consent:
        t.emit(ConsentGiven(t.ctx.privacy_version, st.lang, t.ctx.now, scope="emergency"))
    in_report = st.flow in ("report", "assist")
    data = dict(st.data) if in_report else {}
    emergency_text = str(st.data.get("emergency_text") or "")
    story = str(data.get("description") or "")
    if emergency_text and emergency_text not in story:
        data["description"] = story = f"{story}\n{emergency_text}".strip()
        # Said once: the words are the story now, not also a note beside it.
        data["notes"] = [n for n in data.get("notes") or () if n != emergency_text]
    # Everything written outside a report since the card, in the order sent: every danger message
    # and the words after it (before, only the last danger message reached the officers).
    kept = card_words(st)
    if kept:
        data["description"] = "\n".join([story, *kept]).strip()
    files = list(st.card_files)
    if not in_report:
        files = [*st.data.get("emergency_evidence", ()), *files]  # a state saved by an older version
        # Words another conversation kept (typed where a button was expected, or during
        # onboarding for the report to come): this is the report they were kept for.
        waiting = dict(st.prefill or {})
        notes = [*waiting.pop("notes", ()), *st.data.get("notes", ())]
        if notes:
            data["notes"] = notes
            st.prefill = waiting or None
    if files:
        data["evidence"] = [*data.get("evidence", ()), *files]
    place = card_location(st)
    if place is not None and not data.get("location"):
        data["location"] = place
    st.card_story, st.card_files, st.card_listens = [], [], False
    if data.get("country") in (None, "other") and st.country:
        data["country"] = st.country
    if st.card_place and st.card_place != data.get("country"):
        # Read from the words, not answered: a detail the officer sees as such.
        data["emergency_country"] = st.card_place
    st.card_place = None
    data["emergency_words"] = ", ".join(st.emergency_seen)
    data.pop("emergency_text", None)
    data.pop("emergency_evidence", None)
    kind = st.flow if in_report else "report"
    st.flow, st.data = kind, data
    data.setdefault("_nonce", t.ctx.new_id())
    then = (
        M("If you can, send your location or tell us where you are. Stay on this chat."),
        M("Everything you write here goes straight to the officers."),
    )
    ref = REPORT_HANDLER.open_ticket(t, urgent=True, kind=kind, then=then)
    remember(t, ref)


def resume(t: Turn) -> None:
    current = handler(t)
    if current is None:
        show_menu(t)
        return
    current.resume(t)
