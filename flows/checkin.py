"""The reporter's side of time-driven care: the offer of safety check-ins after an urgent report,
the discreet "Is everything OK?" itself, and the one-tap "was this helpful?" after a ticket closes.

These messages are sent at any time (the scheduler sends most of them), so their buttons are
global ones that name the ticket (``g.ci.safe.PMI-XXXX-XXXX``), not tied to the question in
progress. A press is honoured only for the presser's own ticket: anyone else's reference, or a
made-up one, is answered as a stale button and changes nothing. The check-in and its buttons
never mention reports, officers, police or danger, only how the person is: the phone may be read
by the very person the reporter fears."""

from __future__ import annotations

from flows.conversation import Turn, global_button
from flows.emergency import card_lines
from flows.events import CheckinAnswered, CheckinChosen, SatisfactionGiven
from flows.menu import show_menu
from flows.reference import normalise_reference
from flows.replies import Button, Reply, Urgency
from flows.text import M

CHECKIN = "ci"
SATISFACTION = "sat"
PREFIXES = (f"{CHECKIN}.", f"{SATISFACTION}.")
# What a press means: (namespace, verb) -> the value it carries.
CHECKIN_CHOICES = {"on": True, "off": False}
ANSWERS = {"safe": True, "unsafe": False}
HELPFUL = {"yes": True, "no": False}
# The check-in answer needs an open ticket; the satisfaction answer a closed one.
CLOSED = "closed"


def offer(t: Turn, ref: str) -> None:
    """Asked once, right after an urgent ticket of the person themself is created."""
    t.say(
        M(
            "If you want, we will send you a short message from time to time: <b>Hi, just checking "
            'in. Is everything OK?</b> Just answer it. If you do not answer, or press "Not OK", '
            "we will know you need help."
        ),
        buttons=[
            [global_button(f"{CHECKIN}.on.{ref}", M("Yes, check on me"))],
            [global_button(f"{CHECKIN}.off.{ref}", M("No, thank you"))],
        ],
        urgency=Urgency.URGENT,
    )


def prompt(ref: str) -> Reply:
    """The check-in itself: nothing in it says what it is about."""
    return Reply(
        (M("Hi, just checking in. Is everything OK?"),),
        (
            (
                global_button(f"{CHECKIN}.safe.{ref}", M("All fine")),
                global_button(f"{CHECKIN}.unsafe.{ref}", M("Not OK")),
            ),
            (global_button(f"{CHECKIN}.off.{ref}", M("Stop asking")),),
        ),
        Urgency.URGENT,
    )


def satisfaction_buttons(ref: str) -> tuple[tuple[Button, ...], ...]:
    yes = global_button(f"{SATISFACTION}.yes.{ref}", M("Yes"))
    return ((yes, global_button(f"{SATISFACTION}.no.{ref}", M("No"))),)


def is_care_button(action: str) -> bool:
    return action.startswith(PREFIXES)


def on_button(t: Turn, action: str) -> None:
    """A press of one of the buttons above (``action`` without the ``g.``)."""
    namespace, _, rest = action.partition(".")
    verb, _, raw_ref = rest.partition(".")
    ref = normalise_reference(raw_ref)
    mine = t.ctx.tickets.my_ticket(ref) if ref else None
    status = mine.summary.status if mine is not None else None
    if ref is None or status is None:
        stale(t)
    elif namespace == CHECKIN and verb in CHECKIN_CHOICES and status != CLOSED:
        accepted = CHECKIN_CHOICES[verb]
        t.emit(CheckinChosen(ref, accepted, t.ctx.now))
        if accepted:
            t.say(M("Thank you. We will ask from time to time. Keep this chat."), urgency=Urgency.URGENT)
        else:
            t.say(M("All right, we will not ask. You can always write here or type /darurat."))
    elif namespace == CHECKIN and verb in ANSWERS and status != CLOSED:
        safe = ANSWERS[verb]
        t.emit(CheckinAnswered(ref, safe, t.ctx.now))
        if safe:
            t.say(M("Thank you."))
        else:
            t.say(
                M("Thank you for telling us. We have passed it on straight away."),
                *card_lines(t.ctx.contacts, t.st.country),
                urgency=Urgency.EMERGENCY,
            )
    elif namespace == SATISFACTION and verb in HELPFUL and status == CLOSED:
        t.emit(SatisfactionGiven(ref, HELPFUL[verb], t.ctx.now))
        t.say(M("Thank you for telling us."))
    else:
        stale(t)


def stale(t: Turn) -> None:
    t.say(M("That button is no longer active."))
    show_menu(t)
