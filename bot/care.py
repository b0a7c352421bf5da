"""Time-driven care in the application service: what the service does when a reporter answers a
check-in or "was this helpful?", when an officer answers (the ticket now waits on the reporter) or
marks a ticket resolved, and the alarms and messages the scheduler sends.

Each function works inside the caller's unit of work and returns the messages to queue, so the
change, its audit event and its messages commit together."""

from __future__ import annotations

from datetime import datetime

from bot.config import Settings, parse_duration
from bot.notices import Notices
from bot.outgoing import Outgoing
from flows import notices as texts
from flows import officer_answers as answers
from flows.care import Delays
from flows.events import CareEvent, CheckinAnswered, CheckinChosen, SatisfactionGiven
from flows.text import Msg
from storage.care import CareRepository
from storage.tables import TicketRow
from storage.uow import UnitOfWork


def delays(settings: Settings) -> Delays:
    return Delays(
        remind_after=parse_duration(settings.helpline_remind_after),
        remind_again_after=parse_duration(settings.helpline_remind_again_after),
        autoclose_after=parse_duration(settings.helpline_autoclose_after),
        checkin_interval=parse_duration(settings.helpline_checkin_interval),
        checkin_grace=parse_duration(settings.helpline_checkin_grace),
    )


# -- hooks of the service ---------------------------------------------------------------------
def on_event(
    notices: Notices, settings: Settings, uow: UnitOfWork, user_id: int, event: CareEvent
) -> list[Outgoing]:
    """A reporter's check-in choice or answer, or satisfaction tap. The engine has checked the
    ticket is theirs; checked again here under the ticket's lock, as the engine only reads."""
    ticket = uow.tickets.get_for_update(event.ref)
    if ticket is None or ticket.id is None or ticket.reporter_user_id != user_id:
        return []
    care = CareRepository(uow.session)
    now = event.at
    if isinstance(event, CheckinChosen):
        if event.accepted:
            interval = delays(settings).checkin_interval
            care.start_checkins(ticket.id, interval, now)
            uow.audit.record(
                ticket.id,
                "reporter",
                "checkins_started",
                {"interval_seconds": int(interval.total_seconds())},
                now,
            )
            return notices.to_staff(uow, ticket, texts.checkins_agreed(interval))
        row = care.checkin(ticket.id)
        if row is not None and row.active:
            care.stop_checkins(row)
            uow.audit.record(ticket.id, "reporter", "checkins_stopped", {}, now)
        return []
    if isinstance(event, CheckinAnswered):
        row = care.checkin(ticket.id)
        if event.safe:
            if row is not None and row.active:
                care.answered(row, "safe", now)
            uow.audit.record(ticket.id, "reporter", "checkin_safe", {}, now)
            return []
        if row is not None:
            care.answered(row, "unsafe", now)
        # "Not OK" always counts, whether or not check-ins are still running.
        return alarm(notices, uow, ticket, "checkin_unsafe", texts.checkin_not_ok(ticket.ref), now)
    assert isinstance(event, SatisfactionGiven)
    care.record_satisfaction(ticket.id, event.helpful, now)
    uow.audit.record(ticket.id, "reporter", "satisfaction", {"helpful": event.helpful}, now)
    return []


def officer_answered(uow: UnitOfWork, ticket: TicketRow, now: datetime) -> None:
    """After an officer's answer the ticket waits on the reporter (and the reminders count from
    this answer); the reporter's next message sets it back. The model says from which statuses
    ("reply" in ``flows.ticket_rules``)."""
    uow.tickets.apply(ticket.ref, "reply", now)


def resolve(
    notices: Notices, uow: UnitOfWork, ticket: TicketRow, now: datetime, out: list[Outgoing]
) -> tuple[Msg, bool]:
    """The staff action "resolved": the reporter is told, and the ticket closes by itself after a
    quiet week (``HELPLINE_AUTOCLOSE_AFTER``) unless someone writes."""
    if not uow.tickets.apply(ticket.ref, "resolve", now):
        return answers.NOTHING_CHANGED, False
    notice, discreet = texts.resolved(ticket.ref)
    out.extend(notices.to_reporter(uow, ticket, notice, discreet=discreet))
    return answers.MARKED_RESOLVED, True


# -- messages of the scheduler ----------------------------------------------------------------
def alarm(
    notices: Notices, uow: UnitOfWork, ticket: TicketRow, reason: str, text: Msg, now: datetime
) -> list[Outgoing]:
    """Raise the ticket to urgent and tell its owning agency at once, under its card."""
    assert ticket.id is not None
    care = CareRepository(uow.session)
    raised = care.raise_to_urgent(ticket, now)
    uow.audit.record(ticket.id, "system", reason, {"raised_to_urgent": raised}, now)
    fresh = uow.tickets.get_for_update(ticket.ref)
    assert fresh is not None
    out = notices.alarm_to_owner(fresh, text)
    if raised:
        out += notices.cards(uow, fresh, edit=True)
    return out


def escalation_lines(ticket: TicketRow) -> tuple[Msg, ...]:
    """What the escalation chat learns: enough to chase the agency, nothing of the story."""
    return texts.escalation_lines(
        priority=ticket.priority,
        ref=ticket.ref,
        category=ticket.category,
        owner=ticket.owner,
        received=ticket.created_at,
        due=ticket.first_response_due or ticket.created_at,
    )
