"""The words of what the helpline says on its own, outside a conversation's next step, pure: notices
to a reporter about their ticket as officers and time move it, each with its discreet form (no
report, no reference, no officer: a phone may be watched); notes and alarms for the agency under
the card; the escalation chat's lines; the answer to a flood. The service, care and the scheduler
(bot/) decide when each is sent; the texts live here, in flows/, with every other user-facing
text. What an officer is told after pressing a button is in flows/officer_answers.py."""

from __future__ import annotations

from datetime import datetime, timedelta

from flows.text import M, Msg
from flows.vocab import PRIORITY_NAMES, agency_name, category_label


# -- safety check-ins (bot/care.py, bot/scheduler.py) ---------------------------------------
def checkins_agreed(interval: timedelta) -> Msg:
    """Under the card: the reporter accepted check-ins."""
    # TRANSLATORS: {interval} is a duration in words, e.g. "6 hours".
    return M(
        "The reporter agreed to safety check-ins every {interval}. A missed check-in or a "
        '"Not OK" answer will be announced here.',
        interval=interval,
    )


def checkin_not_ok(ref: str) -> Msg:
    """The alarm when a reporter answers a check-in "Not OK"."""
    return M('🔴 {ref}: the reporter answered the safety check-in with "Not OK". Act now.', ref=ref)


def checkin_missed(ref: str, sent_at: datetime) -> Msg:
    """The alarm when a check-in went unanswered."""
    return M("🔴 {ref}: the reporter did not answer the safety check-in sent {at}.", ref=ref, at=sent_at)


# -- resolve, remind, close (bot/care.py, bot/scheduler.py) ---------------------------------
def resolved(ref: str) -> tuple[Msg, Msg]:
    """To the reporter when an officer marks their ticket resolved: (full, discreet)."""
    return (
        M(
            "Your report {ref} is marked as resolved. If you still need help, just write here; "
            "otherwise it will be closed in a few days.",
            ref=ref,
        ),
        M("Hi, we think this is settled now. If you still need help, just write here."),
    )


def reminder(ref: str, *, second: bool) -> tuple[Msg, Msg]:
    """To a reporter an officer waits for: (full, discreet), the first or the second time."""
    if second:
        return (
            M(
                "We are still waiting for your answer about {ref}. If you no longer need help, "
                "you can ignore this message.",
                ref=ref,
            ),
            M(
                "Hi, we are still waiting for your answer. If you no longer need it, you can ignore "
                "this message."
            ),
        )
    return (
        M(
            "A gentle reminder: an officer is waiting for your answer about {ref}. Reply to "
            "their message, or open it with /status.",
            ref=ref,
        ),
        M("Hi, we are waiting for your answer. Just write here when you can."),
    )


def closed_was_it_helpful(ref: str) -> tuple[Msg, Msg]:
    """To the reporter when a resolved ticket closes by itself: (full, discreet)."""
    return (
        M("Your report {ref} was resolved and is now closed. Was this helpful?", ref=ref),
        M("Hi, this conversation is now closed. Was this helpful?"),
    )


# -- first response (bot/scheduler.py) ------------------------------------------------------
def first_response_missed(ref: str, due: datetime) -> Msg:
    """Under the card when nobody took the ticket in time."""
    return M(
        "⏰ {ref}: the first-response target ({due}) has passed and nobody has taken this ticket.",
        ref=ref,
        due=due,
    )


def escalation_lines(
    *, priority: str, ref: str, category: str, owner: str, received: datetime, due: datetime
) -> tuple[Msg, ...]:
    """What the escalation chat learns: enough to chase the agency, nothing of the story."""
    return (
        M(
            "⏰ Escalation: {priority} · {ref} · {category}",
            priority=PRIORITY_NAMES[priority],
            ref=ref,
            category=category_label(category),
        ),
        M(
            "{agency} has not taken it. Received {at} · first response was due {due}.",
            agency=agency_name(owner),
            at=received,
            due=due,
        ),
    )


# -- the reporter's messages and officers' actions (bot/service.py) -------------------------
def reporter_wrote(text: str) -> Msg:
    """Under the card: a new message of the reporter (📎 for a file without words)."""
    return M("Reporter wrote: {text}", text=text or "📎")


def danger_words(ref: str, text: str) -> Msg:
    """The alarm to the owner when the reporter's words speak of danger."""
    return M("🔴 {ref}: the reporter wrote words of danger: {text}", ref=ref, text=text or "📎")


# The discreet "taken" notice (see bot/notices.py, to_reporter): that someone is on it, and
# nothing else.
TAKEN_DISCREET = M("Hi, your message has been read. The answer will come in this chat.")


def taken(agency: str, ref: str) -> Msg:
    """To the reporter when an officer first has their ticket (taken or assigned)."""
    return M("An officer of {agency} is now handling your report {ref}.", agency=agency_name(agency), ref=ref)


def closed(ref: str) -> tuple[Msg, Msg]:
    """To the reporter when an officer closes their ticket: (full, discreet)."""
    return (
        M("Your report {ref} has been closed. If you need more help, write /lapor or /status.", ref=ref),
        M("Hi, this conversation is closed. If you need anything else, write /menu."),
    )


def merged(old: str, ref: str) -> tuple[Msg, Msg]:
    """To the reporter when their ticket ``old`` is merged into ``ref``: (full, discreet)."""
    return (
        M(
            "Your report {old} is now followed together with your report {ref}. Please use "
            "{ref} from now on.",
            old=old,
            ref=ref,
        ),
        M("Hi, please use {ref} from now on.", ref=ref),
    )


def officer_answer(agency: str, text: str) -> tuple[Msg, Msg]:
    """An officer's answer as the reporter reads it, and how to answer back."""
    return (
        M("Officer {agency}: {text}", agency=agency_name(agency), text=text),
        M("To answer, just write here."),
    )


ERASED = M("The reporter erased their data; this ticket is closed and anonymised.")


def heading(ref: str) -> Msg:
    """``PMI-…:`` above the lines of a ticket shown whole or a note under its card."""
    return M("{ref}:", ref=ref)


def card_piece_unused(ref: str) -> Msg:
    """What a message of a long card shows once the card got shorter and no longer needs it."""
    return M(
        "({ref}: this part of the card is no longer in use. The whole card is in its other messages.)",
        ref=ref,
    )


def transfer_question(ref: str) -> Msg:
    """Under the card, above the agencies a ticket may be transferred to."""
    return M("{ref}: transfer to which agency?", ref=ref)


# -- a person sending too fast (bot/service.py) --------------------------------------------
SLOW_DOWN = M(
    "You are sending messages very fast. Please wait a moment, then write again. /darurat works at any time."
)
