"""The care scheduler: every ``HELPLINE_SCHEDULER_TICK`` it asks the database what is due (SLA
escalations, reporter reminders, auto-closing, safety check-ins) and does each item once.

A tick holds no state of its own: due work is read from the database each time (the rules are in
``flows.care``), and each item is done in its own transaction that locks the ticket, checks the
rule again, claims the item and queues its messages in the outbox. So a restart or crash loses
nothing, a clock jump repeats nothing, and several processes on one PostgreSQL do each item once.
Nothing here talks to Telegram: the outbox sender delivers what a tick queues."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from bot.care import alarm, delays, escalation_lines
from bot.config import Settings, parse_duration
from bot.i18n import renderer
from bot.notices import STAFF_LANG
from bot.outgoing import PRIORITY, Outgoing
from bot.service import Helpline
from flows import notices as texts
from flows import ticket_rules
from flows.care import (
    AUTOCLOSE,
    CHECKIN,
    CHECKIN_MISSED,
    ESCALATE,
    REMIND_AGAIN,
    REMIND_FIRST,
    Delays,
    Due,
    checkin_due,
    ticket_due,
)
from flows.checkin import prompt, satisfaction_buttons
from flows.replies import Reply, Urgency
from storage.care import CareRepository, checkin_facts
from storage.tables import TicketRow
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
JOB_ID = "helpline-care"
REGISTRY_JOB_ID = "helpline-registry"
REGISTRY_REFRESH = timedelta(minutes=1)

Work = Callable[[Helpline, UnitOfWork, CareRepository, TicketRow, datetime], list[Outgoing]]


def run_due_work(helpline: Helpline, now: datetime) -> int:
    """Do whatever is due at ``now``; the number of items done. Tests call this directly."""
    rules = delays(helpline.settings)
    with UnitOfWork(helpline.db) as uow:
        care = CareRepository(uow.session)
        due = [item for facts in care.ticket_candidates(now, rules) for item in ticket_due(facts, now, rules)]
        due += [item for c in care.checkin_candidates(now, rules) if (item := checkin_due(c, now, rules))]
    done = 0
    for item in due:
        try:
            done += _do(helpline, item, now, rules)
        except Exception:
            # One ticket's failure must not starve the others; the item stays unclaimed and is
            # tried again on the next tick.
            log.exception("care work failed kind=%s ticket=%s", item.kind, item.ticket_id)
    return done


def _do(helpline: Helpline, item: Due, now: datetime, rules: Delays) -> int:
    with UnitOfWork(helpline.db) as uow:
        care = CareRepository(uow.session)
        ticket = care.lock_ticket(item.ticket_id)
        if ticket is None or not _still_due(care, ticket, item, now, rules):
            return 0
        if not care.claim(item.ticket_id, item.kind, item.seq, now):
            return 0
        for kind in item.covers:
            care.claim(item.ticket_id, kind, item.seq, now)
        out = WORK[item.kind](helpline, uow, care, ticket, now)
        helpline.queue(uow, out, now)
        uow.commit()
    log.info("care work done kind=%s ref=%s", item.kind, ticket.ref)
    return 1


def _still_due(care: CareRepository, ticket: TicketRow, item: Due, now: datetime, rules: Delays) -> bool:
    """The scan ran without locks: under the ticket's lock, is the item still due? (An officer
    may have taken the ticket, or another process done the work, in between.)"""
    if item.kind in (CHECKIN, CHECKIN_MISSED):
        row = care.checkin(item.ticket_id)
        return (
            row is not None
            and row.active
            and ticket_rules.checkins_run(ticket.status)
            and checkin_due(checkin_facts(row), now, rules) == item
        )
    return item in ticket_due(care.facts(ticket), now, rules)


# -- the work ---------------------------------------------------------------------------------
def escalate(
    helpline: Helpline, uow: UnitOfWork, care: CareRepository, ticket: TicketRow, now: datetime
) -> list[Outgoing]:
    """Past its first-response target and untaken: the card is posted again in the owning
    agency's chat with a note, and the escalation chat (if any) is told."""
    assert ticket.id is not None
    render = renderer(STAFF_LANG, helpline.fmt)  # type: ignore[arg-type]
    priority = PRIORITY[Urgency.URGENT if ticket.priority == "urgent" else Urgency.STAFF_HIGH]
    out: list[Outgoing] = []
    chat = helpline.staff_chats.get(ticket.owner)
    if chat is not None:
        out.append(
            Outgoing(
                chat,
                render.text(texts.first_response_missed(ticket.ref, ticket.first_response_due or now)),
                priority=priority,
                kind="notice",
                ticket_ref=ticket.ref,
            )
        )
        out += helpline.notices.cards(uow, ticket, edit=False, only=ticket.owner)
    escalation_chat = helpline.settings.helpline_escalation_chat
    if escalation_chat is not None:
        out.append(
            Outgoing(
                escalation_chat,
                render.lines(escalation_lines(ticket)),
                priority=priority,
                kind="notice",
                ticket_ref=ticket.ref,
            )
        )
    uow.audit.record(
        ticket.id,
        "system",
        "sla_escalated",
        {"owner": ticket.owner, "priority": ticket.priority, "escalation_chat": escalation_chat is not None},
        now,
    )
    return out


def remind(second: bool) -> Work:
    def work(
        helpline: Helpline, uow: UnitOfWork, care: CareRepository, ticket: TicketRow, now: datetime
    ) -> list[Outgoing]:
        assert ticket.id is not None
        # Discreet unless the person chose otherwise: no report, no reference, no officer.
        text, discreet = texts.reminder(ticket.ref, second=second)
        uow.audit.record(ticket.id, "system", "reminder_sent", {"n": 2 if second else 1}, now)
        return helpline.notices.reply_to_reporter(
            uow,
            ticket,
            Reply((text,), ticket_ref=ticket.ref),
            discreet=Reply((discreet,), ticket_ref=ticket.ref),
        )

    return work


def autoclose(
    helpline: Helpline, uow: UnitOfWork, care: CareRepository, ticket: TicketRow, now: datetime
) -> list[Outgoing]:
    assert ticket.id is not None
    if not uow.tickets.close(ticket.ref, now, "autoclose"):
        return []
    uow.audit.record(ticket.id, "system", "auto_closed", {}, now)
    fresh = uow.tickets.get(ticket.ref)
    assert fresh is not None
    full, brief = texts.closed_was_it_helpful(ticket.ref)
    notice = Reply((full,), satisfaction_buttons(ticket.ref), ticket_ref=ticket.ref)
    discreet = Reply((brief,), satisfaction_buttons(ticket.ref), ticket_ref=ticket.ref)
    return helpline.notices.reply_to_reporter(uow, fresh, notice, discreet=discreet) + helpline.notices.cards(
        uow, fresh, edit=True
    )


def checkin(
    helpline: Helpline, uow: UnitOfWork, care: CareRepository, ticket: TicketRow, now: datetime
) -> list[Outgoing]:
    assert ticket.id is not None
    row = care.checkin(ticket.id)
    assert row is not None
    care.prompted(row, now)
    uow.audit.record(ticket.id, "system", "checkin_sent", {"seq": row.seq}, now)
    return helpline.notices.reply_to_reporter(uow, ticket, prompt(ticket.ref))


def checkin_missed(
    helpline: Helpline, uow: UnitOfWork, care: CareRepository, ticket: TicketRow, now: datetime
) -> list[Outgoing]:
    assert ticket.id is not None
    row = care.checkin(ticket.id)
    assert row is not None and row.awaiting_since is not None
    sent_at = row.awaiting_since
    care.answered(row, "missed", now)
    return alarm(
        helpline.notices,
        uow,
        ticket,
        "checkin_missed",
        texts.checkin_missed(ticket.ref, sent_at),
        now,
    )


WORK: dict[str, Work] = {
    ESCALATE: escalate,
    REMIND_FIRST: remind(second=False),
    REMIND_AGAIN: remind(second=True),
    AUTOCLOSE: autoclose,
    CHECKIN: checkin,
    CHECKIN_MISSED: checkin_missed,
}


def start_scheduler(helpline: Helpline, settings: Settings) -> BackgroundScheduler:
    """Start ticking in a background thread; call ``.shutdown()`` on the result when stopping.

    One job, never run twice at once in this process (``max_instances``), and a tick missed while
    the previous one ran is skipped rather than queued: the next tick finds the same work."""
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        lambda: run_due_work(helpline, helpline.clock()),
        "interval",
        seconds=parse_duration(settings.helpline_scheduler_tick).total_seconds(),
        id=JOB_ID,
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
    )
    scheduler.add_job(
        _refresh_registry,
        "interval",
        args=(helpline,),
        seconds=REGISTRY_REFRESH.total_seconds(),
        id=REGISTRY_JOB_ID,
        max_instances=1,
        coalesce=True,
    )
    scheduler.start()
    return scheduler


def _refresh_registry(helpline: Helpline) -> None:
    """``helpline recruiters import`` beside a running bot: /cek answers from the new list within
    a minute, without a restart."""
    try:
        if helpline.refresh_registry():
            log.info("recruiter registry reloaded")
    except Exception:
        log.exception("recruiter registry reload failed; the previous list stays in use")
