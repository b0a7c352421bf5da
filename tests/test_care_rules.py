"""The pure rules of time-driven care: what is due when, quiet hours by country, and that a claim
already made (or a clock turned back) never makes anything due twice."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from flows.care import (
    AUTOCLOSE,
    CHECKIN,
    CHECKIN_MISSED,
    COUNTRY_ZONES,
    ESCALATE,
    REMIND_AGAIN,
    REMIND_FIRST,
    CheckinFacts,
    Delays,
    Due,
    TicketFacts,
    autoclose_due,
    checkin_due,
    escalation_due,
    is_quiet,
    reminder_due,
    ticket_due,
    zone_of,
)
from flows.vocab import COUNTRIES

# 10:00 in Kuala Lumpur (UTC+8): not quiet there.
NOON_MY = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
H = timedelta(hours=1)
DELAYS = Delays(
    remind_after=24 * H,
    remind_again_after=72 * H,
    autoclose_after=7 * 24 * H,
    checkin_interval=6 * H,
    checkin_grace=H,
)


def ticket(**overrides: object) -> TicketFacts:
    values: dict[str, object] = {
        "ticket_id": 1,
        "status": "open",
        "version": 3,
        "country": "MY",
        "first_response_due": NOON_MY,
        "taken": False,
        "answered": False,
        "last_activity": NOON_MY,
    }
    values.update(overrides)
    return TicketFacts(**values)  # type: ignore[arg-type]


def waiting(since: datetime, claims: frozenset[tuple[str, int]] = frozenset()) -> TicketFacts:
    return ticket(
        status="waiting", taken=True, answered=True, waiting_since=since, waiting_seq=40, claims=claims
    )


# -- quiet hours ------------------------------------------------------------------------------
def test_every_destination_has_a_zone() -> None:
    offered = {c.id for c in COUNTRIES} - {"other"}
    assert offered <= set(COUNTRY_ZONES)
    assert {zone_of(code).key for code in ("KH", "MM", "LA", "PH", "TH")} == {
        "Asia/Phnom_Penh",
        "Asia/Yangon",
        "Asia/Vientiane",
        "Asia/Manila",
        "Asia/Bangkok",
    }
    assert zone_of("other").key == "Asia/Jakarta"
    assert zone_of(None).key == "Asia/Jakarta"


@pytest.mark.parametrize(
    ("utc_hour", "country", "quiet"),
    [
        (13, "MY", False),  # 21:00 in Kuala Lumpur
        (14, "MY", True),  # 22:00
        (22, "MY", True),  # 06:00
        (23, "MY", False),  # 07:00
        (14, "SA", False),  # 17:00 in Riyadh (UTC+3)
        (19, "SA", True),  # 22:00 in Riyadh
        (13, "KR", True),  # 22:00 in Seoul (UTC+9)
        (15, None, True),  # 22:00 in Jakarta
        (14, "other", False),  # 21:00 in Jakarta
    ],
)
def test_quiet_hours_are_local_to_the_country(utc_hour: int, country: str | None, quiet: bool) -> None:
    assert is_quiet(datetime(2026, 11, 23, utc_hour, 0, tzinfo=UTC), country) is quiet


# -- SLA --------------------------------------------------------------------------------------
def test_untaken_ticket_is_escalated_once_its_target_passes() -> None:
    assert escalation_due(ticket(), NOON_MY - timedelta(seconds=1)) is None
    assert escalation_due(ticket(), NOON_MY) == Due(ESCALATE, 1, 0)
    assert escalation_due(ticket(claims=frozenset({(ESCALATE, 0)})), NOON_MY + H) is None


@pytest.mark.parametrize(
    "change", [{"taken": True}, {"answered": True}, {"status": "closed"}, {"first_response_due": None}]
)
def test_a_ticket_someone_is_on_is_not_escalated(change: dict[str, object]) -> None:
    assert escalation_due(ticket(**change), NOON_MY + H) is None


def test_escalation_ignores_quiet_hours() -> None:
    night_in_malaysia = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)  # 02:00 in Kuala Lumpur
    assert escalation_due(ticket(first_response_due=night_in_malaysia), night_in_malaysia) is not None


# -- reminders --------------------------------------------------------------------------------
def test_reminders_after_24_and_72_hours_of_waiting() -> None:
    since = NOON_MY - 80 * H
    assert reminder_due(waiting(NOON_MY - 23 * H), NOON_MY, DELAYS) is None
    assert reminder_due(waiting(NOON_MY - 24 * H), NOON_MY, DELAYS) == Due(REMIND_FIRST, 1, 40)
    first_done = frozenset({(REMIND_FIRST, 40)})
    assert reminder_due(waiting(NOON_MY - 30 * H, first_done), NOON_MY, DELAYS) is None
    assert reminder_due(waiting(since, first_done), NOON_MY, DELAYS) == Due(
        REMIND_AGAIN, 1, 40, covers=(REMIND_FIRST,)
    )
    both_done = frozenset({(REMIND_FIRST, 40), (REMIND_AGAIN, 40)})
    assert reminder_due(waiting(since, both_done), NOON_MY + 100 * H, DELAYS) is None


def test_both_reminders_overdue_send_only_the_second() -> None:
    due = reminder_due(waiting(NOON_MY - 100 * H), NOON_MY, DELAYS)
    assert due is not None and due.kind == REMIND_AGAIN and due.covers == (REMIND_FIRST,)


def test_a_new_wait_gets_its_own_reminders() -> None:
    old_claims = frozenset({(REMIND_FIRST, 12), (REMIND_AGAIN, 12)})
    assert reminder_due(waiting(NOON_MY - 24 * H, old_claims), NOON_MY, DELAYS) == Due(REMIND_FIRST, 1, 40)


def test_reminders_wait_for_the_morning_where_the_reporter_is() -> None:
    night = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 23:00 in Kuala Lumpur
    facts = waiting(night - 24 * H)
    assert reminder_due(facts, night, DELAYS) is None
    assert reminder_due(facts, datetime(2026, 11, 23, 22, 59, tzinfo=UTC), DELAYS) is None
    morning = datetime(2026, 11, 23, 23, 0, tzinfo=UTC)  # 07:00
    assert reminder_due(facts, morning, DELAYS) == Due(REMIND_FIRST, 1, 40)
    # The same moment is daytime in Riyadh.
    assert reminder_due(replace(facts, country="SA"), night, DELAYS) == Due(REMIND_FIRST, 1, 40)


def test_only_waiting_tickets_get_reminders() -> None:
    assert reminder_due(replace(waiting(NOON_MY - 30 * H), status="taken"), NOON_MY, DELAYS) is None


# -- auto-close -------------------------------------------------------------------------------
def test_resolved_and_silent_for_a_week_closes() -> None:
    resolved = ticket(status="resolved", taken=True, answered=True, last_activity=NOON_MY - 7 * 24 * H)
    assert autoclose_due(resolved, NOON_MY, DELAYS) == Due(AUTOCLOSE, 1, 3)
    assert autoclose_due(resolved, NOON_MY - timedelta(seconds=1), DELAYS) is None
    assert autoclose_due(replace(resolved, claims=frozenset({(AUTOCLOSE, 3)})), NOON_MY, DELAYS) is None
    assert autoclose_due(replace(resolved, status="taken"), NOON_MY, DELAYS) is None
    night = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
    assert autoclose_due(resolved, night, DELAYS) is None


def test_ticket_due_gathers_every_rule() -> None:
    assert ticket_due(ticket(), NOON_MY, DELAYS) == [Due(ESCALATE, 1, 0)]
    assert ticket_due(ticket(status="taken", taken=True), NOON_MY + 100 * H, DELAYS) == []


# -- check-ins --------------------------------------------------------------------------------
def test_checkin_prompt_then_missed_after_the_grace() -> None:
    idle = CheckinFacts(7, next_due=NOON_MY, seq=2, awaiting_since=None)
    assert checkin_due(idle, NOON_MY - timedelta(seconds=1), DELAYS) is None
    assert checkin_due(idle, NOON_MY, DELAYS) == Due(CHECKIN, 7, 3)
    asked = CheckinFacts(7, next_due=NOON_MY + 6 * H, seq=3, awaiting_since=NOON_MY)
    assert checkin_due(asked, NOON_MY + 59 * timedelta(minutes=1), DELAYS) is None
    assert checkin_due(asked, NOON_MY + H, DELAYS) == Due(CHECKIN_MISSED, 7, 3)


def test_check_ins_ignore_quiet_hours() -> None:
    night = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    assert checkin_due(CheckinFacts(7, night, 0, None), night, DELAYS) == Due(CHECKIN, 7, 1)


def test_a_clock_turned_back_makes_nothing_due_again() -> None:
    asked = CheckinFacts(7, next_due=NOON_MY + 6 * H, seq=3, awaiting_since=NOON_MY)
    assert checkin_due(asked, NOON_MY - 5 * H, DELAYS) is None
    escalated = ticket(claims=frozenset({(ESCALATE, 0)}))
    assert ticket_due(escalated, NOON_MY - 5 * H, DELAYS) == []
    reminded = waiting(NOON_MY - 80 * H, frozenset({(REMIND_FIRST, 40), (REMIND_AGAIN, 40)}))
    assert reminder_due(reminded, NOON_MY - 50 * H, DELAYS) is None
