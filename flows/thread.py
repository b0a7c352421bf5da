"""A ticket's thread from the person's side: whatever they send outside a flow joins the ticket
they are talking about, acknowledged once per burst of messages.

Which ticket: the one an officer is waiting on an answer for, else the one they last wrote to (or
just opened), else their only open ticket. With several open and none of these, the bot asks once
which, by reference, keeping the messages until they choose; the choice is remembered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from flows.conversation import Turn, global_button
from flows.events import Evidence, ReporterMessageAdded
from flows.menu import show_menu
from flows.ports import TicketSummary
from flows.reference import normalise_reference
from flows.text import M, Text
from flows.vocab import category_label

# Messages closer together than this are one burst: acknowledged once.
BURST = timedelta(minutes=3)
ASKED_AT_MOST = 6  # tickets offered when asking which one a message is about
CHOOSE = "thread"  # global button: g.thread.PMI-XXXX-XXXX


def open_tickets(t: Turn) -> list[TicketSummary]:
    """The person's tickets a message can still join (all but closed), most recently active first."""
    mine = [s for s in t.ctx.tickets.my_tickets() if s.status != "closed"]
    return sorted(mine, key=lambda s: s.updated_at, reverse=True)


def target(t: Turn, tickets: Sequence[TicketSummary]) -> str | None:
    """The ticket a free message is about, or None when the person has to say."""
    remembered = t.st.thread_ref
    waiting = [s.ref for s in tickets if s.status == "waiting"]
    if waiting:
        # An officer asked something: the answer belongs there, whatever was said before.
        if remembered in waiting:
            return remembered
        return waiting[0] if len(waiting) == 1 else None
    if remembered in {s.ref for s in tickets}:
        return remembered
    return tickets[0].ref if len(tickets) == 1 else None


def join(t: Turn, text: str, evidence: Sequence[Evidence] = (), *, danger: bool = False) -> bool:
    """Add a message to the person's open ticket; False when they have none."""
    tickets = open_tickets(t)
    if not tickets:
        return False
    ref = target(t, tickets)
    if ref is None:
        t.st.pending.append({"text": text, "evidence": [asdict(e) for e in evidence], "danger": danger})
        if len(t.st.pending) == 1:
            ask_which(t, tickets)
        return True
    add(t, ref, text, evidence, danger=danger)
    return True


def add(t: Turn, ref: str, text: str, evidence: Sequence[Evidence] = (), *, danger: bool = False) -> None:
    """Add the person's words or files to their own ticket ``ref``. The first message of a burst
    is acknowledged; the next ones of the same burst join quietly."""
    if t.ctx.tickets.my_ticket(ref) is None:
        t.say(M("I cannot find that report among yours."))
        return
    now = t.ctx.now
    t.emit(ReporterMessageAdded(ref, text, tuple(evidence), now, danger=danger))
    quiet = t.st.thread_ref == ref and _within_burst(t.st.thread_at, now)
    t.st.thread_ref, t.st.thread_at = ref, now.isoformat()
    if not quiet:
        t.say(
            M("Added to {ref}. The officer will see it.", ref=ref),
            M("You can keep writing here: everything you send goes to the same report."),
            ticket_ref=ref,
        )


def remember(t: Turn, ref: str) -> None:
    """A ticket the person just opened or chose: their next messages join it."""
    t.st.thread_ref, t.st.thread_at = ref, None


def ask_which(t: Turn, tickets: Sequence[TicketSummary]) -> None:
    lines: list[Text] = [
        M("You have more than one open report. Which one is this about?"),
        M("I keep what you sent until you choose."),
    ]
    buttons = [[global_button(f"{CHOOSE}.{s.ref}", _ticket_label(s))] for s in tickets[:ASKED_AT_MOST]]
    t.say(*lines, buttons=buttons)


def chosen(t: Turn, raw_ref: str) -> None:
    """The person said which ticket their waiting messages are about."""
    ref = normalise_reference(raw_ref)
    tickets = open_tickets(t)
    if ref is None or ref not in {s.ref for s in tickets}:
        if t.st.pending and tickets:
            ask_which(t, tickets)
        else:
            t.say(M("That button is no longer active."))
            show_menu(t)
        return
    pending, t.st.pending = t.st.pending, []
    remember(t, ref)
    if not pending:
        t.say(M("From now on your messages go to {ref}.", ref=ref), ticket_ref=ref)
        return
    for item in pending:
        add(
            t,
            ref,
            str(item.get("text") or ""),
            _evidence(item.get("evidence")),
            danger=bool(item.get("danger")),
        )


def _evidence(raw: Any) -> tuple[Evidence, ...]:
    return tuple(Evidence(**item) for item in raw or ())


def _within_burst(at: str | None, now: datetime) -> bool:
    if not at:
        return False
    try:
        return now - datetime.fromisoformat(at) < BURST
    except ValueError:
        return False


def _ticket_label(summary: TicketSummary) -> Text:
    return M("{ref} · {category}", ref=summary.ref, category=category_label(summary.category))
