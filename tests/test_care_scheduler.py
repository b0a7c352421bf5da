"""Time-driven care over a real database (SQLite, and PostgreSQL when configured), driven by a
controllable clock: SLA escalation, reporter reminders and quiet hours, auto-close with the
"was this helpful?" tap, safety check-ins, and exactly-once across restarts, clock jumps and two
schedulers racing."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

import bot.scheduler
from bot.config import Settings
from bot.i18n import renderer
from bot.scheduler import JOB_ID, run_due_work, start_scheduler
from bot.service import Helpline
from flows.incoming import ChoiceIn, CommandIn, TextIn
from flows.text import M
from storage.care import CareRepository
from storage.db import make_engine
from storage.tables import AuditRow, OutboxRow, TicketRow, load_json
from storage.uow import UnitOfWork
from tests.storage.conftest import engine  # noqa: F401 - the parametrized database fixture
from tests.support.service import (
    KP2MI_CHAT,
    OFFICER,
    PPA_CHAT,
    WORKER,
    Clock,
    Person,
    add_officer,
    file_report,
    onboard,
)

ESCALATION_CHAT = -1009
STAFF = renderer("id", "plain")
H = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
# The check-in as the (English-speaking) worker of these tests reads it.
CHECKIN_TEXT = "Hi, just checking in. Is everything OK?"
# 07:00 UTC is 15:00 in Kuala Lumpur, where the worker of these tests is.
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def make_helpline(db: Engine, clock: Clock, **overrides: Any) -> Helpline:
    values: dict[str, Any] = {
        "helpline_staff_chat_kp2mi": KP2MI_CHAT,
        "helpline_staff_chat_ppa_ppo": PPA_CHAT,
        "helpline_escalation_chat": ESCALATION_CHAT,
        **overrides,
    }
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    counter = iter(range(1, 10**9))
    return Helpline(db, settings, clock=clock, new_id=lambda: f"n{next(counter)}-{id(clock)}")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def helpline(engine: Engine, clock: Clock) -> Helpline:  # noqa: F811
    return make_helpline(engine, clock)


def at(clock: Clock, moment: datetime) -> datetime:
    clock.now = moment
    return moment


def outbox(db: Engine, chat: int | None = None) -> list[OutboxRow]:
    with UnitOfWork(db) as uow:
        query = select(OutboxRow).order_by(col(OutboxRow.id))
        if chat is not None:
            query = query.where(OutboxRow.chat_id == chat)
        return list(uow.session.exec(query))


def texts(db: Engine, chat: int) -> list[str]:
    return [str(load_json(row.payload)["text"]) for row in outbox(db, chat)]


def audit(db: Engine, ref: str) -> list[str]:
    with UnitOfWork(db) as uow:
        ticket = uow.tickets.get(ref)
        assert ticket is not None and ticket.id is not None
        return [a.action for a in uow.audit.for_ticket(ticket.id)]


def ticket_row(db: Engine, ref: str) -> TicketRow:
    with UnitOfWork(db) as uow:
        ticket = uow.tickets.get(ref)
        assert ticket is not None
        return ticket


def take(helpline: Helpline, ref: str) -> None:
    add_officer(helpline)
    helpline.staff_press(OFFICER, PPA_CHAT, f"s.take.{ref}")


def reported(helpline: Helpline, worker_id: int = WORKER) -> tuple[Person, str]:
    """A worker in Malaysia files a 'held' report: high priority (4 h), owned by PPA-PPO."""
    worker = Person(helpline, worker_id)
    onboard(worker)
    return worker, file_report(worker)


def urgent_report(helpline: Helpline) -> tuple[Person, str]:
    worker = Person(helpline, WORKER)
    onboard(worker)
    worker.send(CommandIn("darurat"))
    worker.press("ecountry.MY")
    out = worker.press("urgent")
    ref = next(m.ticket_ref for m in out if m.ticket_ref)
    assert ref is not None
    return worker, ref


# -- SLA ------------------------------------------------------------------------------------------
def test_untaken_ticket_past_its_target_is_escalated_once(helpline: Helpline, clock: Clock) -> None:
    _, ref = reported(helpline)
    due = ticket_row(helpline.db, ref).first_response_due
    assert due is not None and due - ticket_row(helpline.db, ref).created_at == 4 * H
    before = len(outbox(helpline.db))
    assert run_due_work(helpline, due - timedelta(seconds=1)) == 0
    assert run_due_work(helpline, due) == 1
    ppa = outbox(helpline.db, PPA_CHAT)
    assert [row.kind for row in ppa][-2:] == ["notice", "card"]
    assert "⏰" in texts(helpline.db, PPA_CHAT)[-2] and ref in texts(helpline.db, PPA_CHAT)[-1]
    (escalation,) = texts(helpline.db, ESCALATION_CHAT)
    assert ref in escalation and "passport" not in escalation  # no story outside the agencies
    assert "sla_escalated" in audit(helpline.db, ref)
    assert run_due_work(helpline, due + H) == 0
    assert run_due_work(helpline, due + 100 * H) == 0
    assert len(outbox(helpline.db)) == before + 3


def test_a_taken_ticket_is_not_escalated(helpline: Helpline) -> None:
    _, ref = reported(helpline)
    add_officer(helpline)
    helpline.staff_press(OFFICER, PPA_CHAT, f"s.take.{ref}")
    assert run_due_work(helpline, START + 10 * H) == 0
    assert texts(helpline.db, ESCALATION_CHAT) == []


def test_escalation_without_an_escalation_chat_goes_to_the_agency(engine: Engine, clock: Clock) -> None:  # noqa: F811
    helpline = make_helpline(engine, clock, helpline_escalation_chat=None)
    reported(helpline)
    assert run_due_work(helpline, START + 5 * H) == 1
    assert any("⏰" in text for text in texts(engine, PPA_CHAT))
    assert outbox(engine, ESCALATION_CHAT) == []


# -- reminders and quiet hours -----------------------------------------------------------------
def answered(helpline: Helpline, clock: Clock, moment: datetime) -> tuple[Person, str]:
    worker, ref = reported(helpline)
    add_officer(helpline)
    helpline.staff_press(OFFICER, PPA_CHAT, f"s.take.{ref}")
    at(clock, moment)
    error, _ = helpline.staff_reply(OFFICER, PPA_CHAT, "Where is your passport now?", ref=ref)
    assert error is None
    assert ticket_row(helpline.db, ref).status == "waiting"
    return worker, ref


def reminders(db: Engine) -> list[str]:
    return [t for t in texts(db, WORKER) if "waiting for your answer" in t]


def test_reminders_at_24_and_72_hours_are_not_repeated(helpline: Helpline, clock: Clock) -> None:
    answer_at = START + H
    _, ref = answered(helpline, clock, answer_at)
    assert run_due_work(helpline, answer_at + 23 * H) == 0
    assert run_due_work(helpline, answer_at + 24 * H + MINUTE) == 1
    assert run_due_work(helpline, answer_at + 30 * H) == 0
    assert run_due_work(helpline, answer_at + 72 * H + MINUTE) == 1
    assert run_due_work(helpline, answer_at + 200 * H) == 0
    first, second = reminders(helpline.db)
    # Discreet by default: no reference (tests/service/test_discreet_notices.py).
    assert ref not in first and "waiting for your answer" in first and "still waiting" in second
    assert audit(helpline.db, ref).count("reminder_sent") == 2


def test_the_reporters_answer_stops_the_reminders(helpline: Helpline, clock: Clock) -> None:
    worker, ref = answered(helpline, clock, START + H)
    with UnitOfWork(helpline.db) as uow:
        uow.links.add(WORKER, 900, ref, "agency_answer")
        uow.commit()
    worker.send(TextIn("It is with the employer."), reply_to=900)
    assert ticket_row(helpline.db, ref).status == "taken"
    assert run_due_work(helpline, START + 100 * H) == 0
    assert reminders(helpline.db) == []


def test_quiet_hours_delay_reminders_but_never_escalations(helpline: Helpline, clock: Clock) -> None:
    # Answered at 23:00 in Kuala Lumpur: the reminder falls due at 23:00 the next day.
    answer_at = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    answered(helpline, clock, answer_at)
    at(clock, answer_at + 19 * H)
    _, other = reported(helpline, WORKER + 1)
    night = answer_at + 24 * H  # 23:00 in Kuala Lumpur
    overdue = ticket_row(helpline.db, other).first_response_due
    assert overdue is not None and overdue <= night
    assert run_due_work(helpline, night) == 1  # the escalation, at night
    assert "sla_escalated" in audit(helpline.db, other)
    assert reminders(helpline.db) == []
    assert run_due_work(helpline, datetime(2026, 11, 24, 22, 59, tzinfo=UTC)) == 0
    assert run_due_work(helpline, datetime(2026, 11, 24, 23, 0, tzinfo=UTC)) == 1  # 07:00 there
    assert len(reminders(helpline.db)) == 1


# -- resolved, auto-close and satisfaction ------------------------------------------------------
def test_resolved_and_silent_closes_with_a_helpful_tap(helpline: Helpline, clock: Clock) -> None:
    worker, ref = reported(helpline)
    add_officer(helpline)
    helpline.staff_press(OFFICER, PPA_CHAT, f"s.take.{ref}")
    resolved_at = at(clock, START + H)
    answer, out = helpline.staff_press(OFFICER, PPA_CHAT, f"s.resolve.{ref}")
    assert answer == STAFF.text(M("Marked as resolved."))
    assert any(m.chat_id == WORKER and "settled" in m.text for m in out)
    assert any(m.kind == "card_update" and "s.close." in str(m.buttons) for m in out)
    resolved = ticket_row(helpline.db, ref)
    assert resolved.status == "resolved"
    assert run_due_work(helpline, resolved.updated_at + 7 * 24 * H - timedelta(seconds=1)) == 0
    assert run_due_work(helpline, resolved_at + 7 * 24 * H + H) == 1
    assert ticket_row(helpline.db, ref).status == "closed"
    assert "auto_closed" in audit(helpline.db, ref)
    (notice,) = [row for row in outbox(helpline.db, WORKER) if "now closed" in load_json(row.payload)["text"]]
    buttons = [b[1] for line in load_json(notice.payload)["buttons"] for b in line]
    assert buttons == [f"g.sat.yes.{ref}", f"g.sat.no.{ref}"]
    assert run_due_work(helpline, resolved_at + 30 * 24 * H) == 0
    worker.send(ChoiceIn(f"g.sat.no.{ref}"))
    worker.send(ChoiceIn(f"g.sat.yes.{ref}"))
    with UnitOfWork(helpline.db) as uow:
        assert CareRepository(uow.session).satisfaction(ticket_row(helpline.db, ref).id or 0) is True
    assert audit(helpline.db, ref).count("satisfaction") == 2


def test_a_message_on_a_resolved_ticket_restarts_the_quiet_week(helpline: Helpline, clock: Clock) -> None:
    worker, ref = reported(helpline)
    add_officer(helpline)
    at(clock, START + H)
    helpline.staff_press(OFFICER, PPA_CHAT, f"s.resolve.{ref}")
    with UnitOfWork(helpline.db) as uow:
        uow.links.add(WORKER, 901, ref, "agency_answer")
        uow.commit()
    at(clock, START + 6 * 24 * H)
    worker.send(TextIn("One more thing."), reply_to=901)
    assert run_due_work(helpline, START + 8 * 24 * H) == 0
    assert run_due_work(helpline, START + 13 * 24 * H + H) == 1


# -- safety check-ins -------------------------------------------------------------------------
def test_urgent_reporter_opts_in_and_is_checked_on(helpline: Helpline, clock: Clock) -> None:
    worker, ref = urgent_report(helpline)
    take(helpline, ref)  # no SLA escalation to get in the way
    accepted_at = at(clock, START + H)
    worker.press(f"ci.on.{ref}")
    assert "checkins_started" in audit(helpline.db, ref)
    # The interval in words, in the staff's language, not the raw setting ("6h").
    assert any(ref in t and "setiap 6 jam" in t for t in texts(helpline.db, PPA_CHAT))
    assert run_due_work(helpline, accepted_at + 5 * H) == 0
    assert run_due_work(helpline, accepted_at + 6 * H + timedelta(seconds=1)) == 1
    (ask,) = [row for row in outbox(helpline.db, WORKER) if load_json(row.payload)["text"] == CHECKIN_TEXT]
    buttons = [b[1] for line in load_json(ask.payload)["buttons"] for b in line]
    assert buttons == [f"g.ci.safe.{ref}", f"g.ci.unsafe.{ref}", f"g.ci.off.{ref}"]
    assert run_due_work(helpline, accepted_at + 6 * H + 30 * MINUTE) == 0
    at(clock, accepted_at + 6 * H + 40 * MINUTE)
    worker.send(ChoiceIn(f"g.ci.safe.{ref}"))
    # Answered: no alarm after the grace, and the next question 6 h after the answer.
    assert run_due_work(helpline, accepted_at + 8 * H) == 0
    assert run_due_work(helpline, accepted_at + 12 * H + 41 * MINUTE) == 1
    assert audit(helpline.db, ref).count("checkin_sent") == 2


def test_not_safe_raises_to_urgent_and_alerts_the_agency_at_once(helpline: Helpline, clock: Clock) -> None:
    worker, ref = reported(helpline)  # high priority
    assert ticket_row(helpline.db, ref).priority == "high"
    out = worker.send(ChoiceIn(f"g.ci.unsafe.{ref}"))
    alert = next(m for m in out if m.chat_id == PPA_CHAT and m.kind == "notice")
    assert "🔴" in alert.text and ref in alert.text and alert.reply_to_card
    assert any(m.kind == "card_update" and "🔴" in m.text for m in out)
    assert any(m.chat_id == WORKER and m.kind == "emergency" for m in out)
    assert ticket_row(helpline.db, ref).priority == "urgent"
    assert "checkin_unsafe" in audit(helpline.db, ref)


def test_a_missed_check_in_raises_the_alarm(helpline: Helpline, clock: Clock) -> None:
    _, ref = reported(helpline)
    take(helpline, ref)
    with UnitOfWork(helpline.db) as uow:
        CareRepository(uow.session).start_checkins(ticket_row(helpline.db, ref).id or 0, 6 * H, START)
        uow.commit()
    assert run_due_work(helpline, START + 6 * H) == 1
    assert run_due_work(helpline, START + 6 * H + 59 * MINUTE) == 0
    assert run_due_work(helpline, START + 7 * H) == 1
    assert ticket_row(helpline.db, ref).priority == "urgent"
    assert any(t.startswith(f"🔴 {ref}") for t in texts(helpline.db, PPA_CHAT))
    assert run_due_work(helpline, START + 8 * H) == 0
    assert audit(helpline.db, ref).count("checkin_missed") == 1


def test_check_ins_stop_on_request_and_when_the_ticket_closes(helpline: Helpline, clock: Clock) -> None:
    worker, ref = urgent_report(helpline)
    worker.press(f"ci.on.{ref}")
    worker.send(ChoiceIn(f"g.ci.off.{ref}"))
    assert run_due_work(helpline, START + 100 * H) == 1  # only the SLA escalation
    worker.send(ChoiceIn(f"g.ci.on.{ref}"))
    add_officer(helpline)
    helpline.staff_press(OFFICER, PPA_CHAT, f"s.close.{ref}")
    assert run_due_work(helpline, START + 200 * H) == 0


def test_someone_elses_ticket_cannot_be_answered(helpline: Helpline, clock: Clock) -> None:
    _, ref = reported(helpline)
    stranger = Person(helpline, WORKER + 5)
    onboard(stranger)
    out = stranger.send(ChoiceIn(f"g.ci.unsafe.{ref}"))
    assert "no longer active" in out[0].text
    assert ticket_row(helpline.db, ref).priority == "high"
    assert "checkin_unsafe" not in audit(helpline.db, ref)


# -- durable and exactly once -----------------------------------------------------------------
def test_restart_in_the_middle_neither_loses_nor_repeats(
    engine: Engine,  # noqa: F811
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = make_helpline(engine, clock)
    refs = [reported(first, WORKER + i)[1] for i in range(3)]
    crashing = bot.scheduler.WORK["escalate"]
    calls = 0

    def crash_on_the_second(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("the process died here")
        return crashing(*args)

    monkeypatch.setitem(bot.scheduler.WORK, "escalate", crash_on_the_second)
    assert run_due_work(first, START + 5 * H) == 2
    monkeypatch.setitem(bot.scheduler.WORK, "escalate", crashing)
    restarted = make_helpline(engine, Clock())
    assert run_due_work(restarted, START + 5 * H) == 1
    assert run_due_work(restarted, START + 6 * H) == 0
    assert [audit(engine, ref).count("sla_escalated") for ref in refs] == [1, 1, 1]
    assert len(texts(engine, ESCALATION_CHAT)) == 3


def test_a_clock_jump_backwards_repeats_nothing(helpline: Helpline, clock: Clock) -> None:
    answer_at = START + H
    answered(helpline, clock, answer_at)
    assert run_due_work(helpline, answer_at + 24 * H + MINUTE) == 1
    assert run_due_work(helpline, answer_at + 74 * H) == 1
    sent = len(outbox(helpline.db))
    for back in (73, 30, 24, 5, 0):
        assert run_due_work(helpline, answer_at + back * H) == 0
    assert run_due_work(helpline, answer_at + 90 * H) == 0
    assert len(outbox(helpline.db)) == sent


def test_two_schedulers_racing_do_each_job_once(engine: Engine, clock: Clock) -> None:  # noqa: F811
    setup = make_helpline(engine, clock)
    refs = [reported(setup, WORKER + i)[1] for i in range(6)]
    engines = [make_engine(str(engine.url.render_as_string(hide_password=False))) for _ in range(2)]
    schedulers = [make_helpline(db, Clock()) for db in engines]
    barrier = threading.Barrier(2)
    done: list[int] = []
    errors: list[BaseException] = []

    def tick(helpline: Helpline) -> None:
        try:
            barrier.wait()
            done.append(run_due_work(helpline, START + 5 * H))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=tick, args=(h,), daemon=True) for h in schedulers]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        for db in engines:
            db.dispose()
    assert errors == [] and sum(done) == len(refs)
    with UnitOfWork(engine) as uow:
        escalations = uow.session.exec(select(AuditRow).where(AuditRow.action == "sla_escalated")).all()
    assert len(escalations) == len(refs)
    assert len(texts(engine, ESCALATION_CHAT)) == len(refs)


# -- the scheduler itself ---------------------------------------------------------------------
def test_start_scheduler_ticks_at_the_configured_interval(engine: Engine, clock: Clock) -> None:  # noqa: F811
    helpline = make_helpline(engine, clock, helpline_scheduler_tick="2s")
    scheduler = start_scheduler(helpline, helpline.settings)
    try:
        job = scheduler.get_job(JOB_ID)
        assert job is not None and job.trigger.interval == timedelta(seconds=2)
        assert job.max_instances == 1 and job.coalesce
    finally:
        scheduler.shutdown(wait=True)
