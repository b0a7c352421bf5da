"""The dialogue engine: one entry point, ``step(state, incoming, ctx) -> Result``.

No I/O happens here. The caller loads the state, calls ``step``, saves the new state and acts on
the events in one transaction. Order of precedence for each message: danger words (from any step,
even before onboarding), commands, global buttons, then the flow in progress."""

from __future__ import annotations

from dataclasses import dataclass

from flows.assist import ASSIST
from flows.check import Check
from flows.checkin import is_care_button, on_button
from flows.clear_chat import ClearChat
from flows.conversation import GLOBAL, Handler, Turn, global_button
from flows.declarative import FlowHandler
from flows.emergency import card_lines, danger_words
from flows.events import ConsentGiven, EmergencyShown, Event
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
from flows.menu import canonical, show_menu
from flows.officer import Erase, Officer
from flows.onboarding import LANGUAGES, Onboarding, set_language
from flows.ports import Context
from flows.reference import normalise_reference
from flows.replies import Reply, Urgency
from flows.report import REPORT
from flows.state import State
from flows.status import Status, add_to_ticket
from flows.text import M
from flows.vocab import COUNTRIES

REPORT_HANDLER = FlowHandler(REPORT)
ASSIST_HANDLER = FlowHandler(ASSIST)
ONBOARDING = Onboarding()
OFFICER = Officer()
STATUS = Status()
HANDLERS: dict[str, Handler] = {
    h.flow_id: h
    for h in (REPORT_HANDLER, ASSIST_HANDLER, ONBOARDING, Check(), STATUS, Info(), OFFICER, Erase(),
              ClearChat())
}
# Commands that store personal data need consent first; the others work for anyone.
NEEDS_CONSENT = {"lapor": "report", "bantuan": "assist", "status": "status", "officer": "officer"}
OPEN_TO_ALL = {"cek": "check", "info": "info", "hapusdata": "erase", "hapus": "clear_chat"}
MAX_TEXT = 4000


@dataclass(frozen=True)
class Result:
    state: State
    replies: tuple[Reply, ...]
    events: tuple[Event, ...]


def step(state: State, incoming: Incoming, ctx: Context) -> Result:
    """Apply one incoming message. ``state`` is not modified; the new state is returned."""
    t = Turn(State.from_dict(state.to_dict()), ctx)  # to_dict is a deep copy
    if isinstance(incoming, TextIn):
        on_text(t, incoming)
    elif isinstance(incoming, CommandIn):
        run_command(t, incoming.name, incoming.args)
    elif isinstance(incoming, ChoiceIn):
        on_choice(t, incoming.data)
    else:
        on_other(t, incoming)
    return Result(t.st, tuple(t.replies), tuple(t.events))


def handler(t: Turn) -> Handler | None:
    return HANDLERS.get(t.st.flow or "")


def run_command(t: Turn, command: str, args: str = "") -> None:
    name = canonical(command) or command
    st = t.st
    st.misunderstood = 0
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
        st.clear_flow()
        st.after_onboarding, st.prefill = None, None
        st.emergency_seen = []
        t.say(
            M("Stopped. Nothing half-entered was sent.") if had_flow else M("There was nothing to stop."),
            buttons=[[global_button("menu", M("Menu"))]],
        )
    elif name in OPEN_TO_ALL:
        HANDLERS[OPEN_TO_ALL[name]].start(t)
    elif name in NEEDS_CONSENT:
        if not st.consent:
            st.after_onboarding = name
            ONBOARDING.start(t)
        elif name == "officer" and args:
            OFFICER.start(t, question=args)
        elif name == "lapor":
            prefill, st.prefill = st.prefill, None
            REPORT_HANDLER.start(t, prefill=prefill)
        else:
            HANDLERS[NEEDS_CONSENT[name]].start(t)
    else:
        t.say(
            M("I do not know that command."),
            M("Commands: /cek /lapor /bantuan /status /info /darurat /bahasa /batal /hapusdata"),
        )


def on_text(t: Turn, incoming: TextIn) -> None:
    text = incoming.text[:MAX_TEXT]
    words = danger_words(text)
    if words and not set(words) <= set(t.st.emergency_seen):
        emergency_interrupt(t, text, words)
        if incoming.reply_to_ref:
            add_to_ticket(t, incoming.reply_to_ref, text.strip())
        return
    if incoming.reply_to_ref:
        add_to_ticket(t, incoming.reply_to_ref, text.strip())
        return
    current = handler(t)
    if current is not None:
        current.on_text(t, text)
        return
    ref = normalise_reference(text)
    if ref and t.st.consent:
        STATUS.open(t, ref)
        return
    t.st.misunderstood += 1
    if t.st.misunderstood >= 2 and t.st.consent:
        t.st.data = {"question": text.strip()[:2000]}
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
    elif action.startswith("ecountry.") and action[9:] in {c.id for c in COUNTRIES}:
        st.country = action[9:]
        show_emergency(t)
    elif action == "urgent":
        urgent_report(t)
    elif action == "resume":
        resume(t)
    elif action == "report_recruiter":
        recruiter = st.data.get("recruiter") if st.flow in (None, "check") else None
        prefill = {"recruiter": recruiter} if recruiter else None
        if not st.consent:
            st.after_onboarding, st.prefill = "lapor", prefill
            ONBOARDING.start(t)
        else:
            REPORT_HANDLER.start(t, prefill=prefill)
    elif action == "ask_officer":
        question = str(st.data.get("question") or "") if st.flow is None else ""
        run_command(t, "officer", question)
    elif action in {"cek", "lapor", "bantuan", "status", "info", "darurat", "bahasa", "menu"}:
        run_command(t, action)
    elif is_care_button(action):
        on_button(t, action)
    else:
        t.say(M("That button is no longer active."))
        show_menu(t)


def on_other(t: Turn, incoming: Incoming) -> None:
    current = handler(t)
    if isinstance(incoming, LocationIn):
        if current is None:
            t.say(M("Thank you. To send it to an officer, start a report with /lapor."))
            return
        current.on_location(t, incoming)
    elif isinstance(incoming, ContactIn):
        if current is None:
            t.say(M("Thank you, but a contact is not needed here."))
            return
        current.on_contact(t, incoming)
    elif isinstance(incoming, AttachmentIn):
        if current is None:
            t.say(M("To send a file to an officer, open your report with /status, or make one with /lapor."))
            return
        current.on_attachment(t, incoming)


# -- emergency ---------------------------------------------------------------------------------
def emergency_interrupt(t: Turn, text: str, words: tuple[str, ...]) -> None:
    """Danger words: the card comes first, whatever step the person is in. The words are
    remembered so the card is not shown again for them, and the text is kept for an urgent
    report; the question they were answering stays open for "continue"."""
    st = t.st
    st.emergency_seen = sorted(set(st.emergency_seen) | set(words))
    st.data["emergency_text"] = text.strip()[:2000]
    show_emergency(t)


def emergency_country(st: State) -> str | None:
    """The country the person is in: the report's answer when it names one, else the last known."""
    if st.flow in ("report", "assist") and st.data.get("country") not in (None, "other"):
        return str(st.data["country"])
    return st.country


def show_emergency(t: Turn) -> None:
    st = t.st
    country = emergency_country(st)
    t.emit(EmergencyShown(country, t.ctx.now))
    lines = card_lines(t.ctx.contacts, country)
    in_flow = st.flow in ("report", "assist")
    if in_flow:
        lines.append(M("Your unfinished report is kept."))
    st.card_open = True
    buttons = [[global_button("urgent", M("Send as URGENT report"))]]
    if st.flow is not None:
        buttons.append([global_button("resume", M("Continue where I was"))])
    else:
        buttons.append([global_button("menu", M("Menu"))])
    if country is None:
        buttons += [
            [global_button(f"ecountry.{c.id}", c.label) for c in COUNTRIES[i : i + 4]]
            for i in range(0, len(COUNTRIES) - 1, 4)
        ]
    t.say(*lines, buttons=buttons, urgency=Urgency.EMERGENCY)


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
    data = dict(st.data) if st.flow in ("report", "assist") else {}
    emergency_text = str(st.data.get("emergency_text") or "")
    story = str(data.get("description") or "")
    if emergency_text and emergency_text not in story:
        data["description"] = f"{story}\n{emergency_text}".strip()
    if data.get("country") in (None, "other") and st.country:
        data["country"] = st.country
    data["emergency_words"] = ", ".join(st.emergency_seen)
    kind = st.flow if st.flow in ("report", "assist") else "report"
    st.flow, st.data = kind, data
    data.setdefault("_nonce", t.ctx.new_id())
    ref = REPORT_HANDLER.open_ticket(t, urgent=True, kind=kind)
    # Whatever they send next (where they are, a photo, a location) joins the urgent ticket.
    st.flow, st.step, st.data = STATUS.flow_id, "add", {"ref": ref}
    t.next_question()
    t.say(
        M("If you can, send your location or tell us where you are. Stay on this chat."),
        urgency=Urgency.URGENT,
        ask_location=True,
    )


def resume(t: Turn) -> None:
    current = handler(t)
    if current is None:
        show_menu(t)
        return
    current.prompt(t)
