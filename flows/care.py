"""Time-driven care, pure: given what is stored about a ticket and the time now, what is due.

Nothing here keeps a timer. Every rule reads stored facts (statuses, due times, the last officer
message, the claims already made) and answers "due now, or not"; the scheduler asks again on every
tick. So a restart loses nothing (the facts are still there) and a clock jump repeats nothing (a
claim already made stays made). Each due item names the claim (kind, ticket, seq) that makes it
happen once: ``seq`` tells one occurrence from the next, e.g. a new waiting spell gets new
reminders.

Quiet hours (22:00-07:00 in the reporter's country) hold back messages to reporters that can wait;
escalations to staff and safety check-ins are never held back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flows import ticket_rules as rules

# Where the bot's destination countries keep their clocks; the reporter's country picks the zone.
COUNTRY_ZONES: dict[str, str] = {
    "MY": "Asia/Kuala_Lumpur",
    "SG": "Asia/Singapore",
    "HK": "Asia/Hong_Kong",
    "TW": "Asia/Taipei",
    "SA": "Asia/Riyadh",
    "KR": "Asia/Seoul",
    "JP": "Asia/Tokyo",
    "KH": "Asia/Phnom_Penh",
    "MM": "Asia/Yangon",
    "LA": "Asia/Vientiane",
    "PH": "Asia/Manila",
    "TH": "Asia/Bangkok",
    "BN": "Asia/Brunei",
    "MO": "Asia/Macau",
    "AE": "Asia/Dubai",
    "QA": "Asia/Qatar",
    "KW": "Asia/Kuwait",
    "OM": "Asia/Muscat",
    "BH": "Asia/Bahrain",
    "JO": "Asia/Amman",
    "TR": "Europe/Istanbul",
    "TL": "Asia/Dili",
    "ID": "Asia/Jakarta",
}
# An unknown country ("other", or not given): most such reporters are families at home, in WIB.
DEFAULT_ZONE = "Asia/Jakarta"
QUIET_FROM = time(22, 0)
QUIET_UNTIL = time(7, 0)

ESCALATE = "escalate"
REMIND_FIRST = "remind1"
REMIND_AGAIN = "remind2"
AUTOCLOSE = "autoclose"
CHECKIN = "checkin"
CHECKIN_MISSED = "checkin_missed"


@dataclass(frozen=True)
class Delays:
    remind_after: timedelta
    remind_again_after: timedelta
    autoclose_after: timedelta
    checkin_interval: timedelta
    checkin_grace: timedelta


@dataclass(frozen=True)
class TicketFacts:
    """What the rules need of one stored ticket. ``waiting_since``/``waiting_seq`` are the officer
    message the reporter has not answered yet (its time and id); ``claims`` the (kind, seq) pairs
    already claimed for this ticket."""

    ticket_id: int
    status: str
    version: int
    country: str | None
    first_response_due: datetime | None
    taken: bool
    answered: bool
    last_activity: datetime
    waiting_since: datetime | None = None
    waiting_seq: int = 0
    claims: frozenset[tuple[str, int]] = frozenset()


@dataclass(frozen=True)
class CheckinFacts:
    """One reporter's safety check-ins on one ticket. ``seq`` counts the prompts sent so far;
    ``awaiting_since`` is when the last one went out, while it is unanswered."""

    ticket_id: int
    next_due: datetime
    seq: int
    awaiting_since: datetime | None


@dataclass(frozen=True)
class Due:
    """One piece of work to do now. Claiming (kind, ticket_id, seq) makes it happen once; the
    ``covers`` kinds are claimed with it (a late second reminder stands in for the first)."""

    kind: str
    ticket_id: int
    seq: int
    covers: tuple[str, ...] = ()


def zone_of(country: str | None) -> ZoneInfo:
    return ZoneInfo(COUNTRY_ZONES.get(country or "", DEFAULT_ZONE))


def is_quiet(now: datetime, country: str | None) -> bool:
    """True between 22:00 and 07:00 where the reporter is."""
    local = now.astimezone(zone_of(country)).time()
    return local >= QUIET_FROM or local < QUIET_UNTIL


def escalation_due(t: TicketFacts, now: datetime) -> Due | None:
    """Past its first-response target with nobody on it: re-announce and escalate, once."""
    if not rules.awaits_first_response(t.status, taken=t.taken, answered=t.answered):
        return None
    if t.first_response_due is None:
        return None
    if now < t.first_response_due or (ESCALATE, 0) in t.claims:
        return None
    return Due(ESCALATE, t.ticket_id, 0)


def reminder_due(t: TicketFacts, now: datetime, delays: Delays) -> Due | None:
    """A gentle reminder to a reporter an officer is waiting on, after 24 h and again after 72 h
    of the same wait. If both fell due while nobody looked (or at night), only the second goes."""
    if not rules.awaits_reporter(t.status) or t.waiting_since is None or is_quiet(now, t.country):
        return None
    waited = now - t.waiting_since
    done = {kind for kind, seq in t.claims if seq == t.waiting_seq}
    if REMIND_AGAIN in done:
        return None
    if waited >= delays.remind_again_after:
        return Due(REMIND_AGAIN, t.ticket_id, t.waiting_seq, covers=(REMIND_FIRST,))
    if waited >= delays.remind_after and REMIND_FIRST not in done:
        return Due(REMIND_FIRST, t.ticket_id, t.waiting_seq)
    return None


def autoclose_due(t: TicketFacts, now: datetime, delays: Delays) -> Due | None:
    """Resolved and silent for ``autoclose_after``: close with a notice. The notice goes to the
    reporter, so it waits for the morning too. ``seq`` is the ticket's version: any later change
    (a message, a reopening) makes a new occurrence."""
    if rules.next_status("autoclose", t.status) is None or now - t.last_activity < delays.autoclose_after:
        return None
    if is_quiet(now, t.country) or (AUTOCLOSE, t.version) in t.claims:
        return None
    return Due(AUTOCLOSE, t.ticket_id, t.version)


def ticket_due(t: TicketFacts, now: datetime, delays: Delays) -> list[Due]:
    found = (escalation_due(t, now), reminder_due(t, now, delays), autoclose_due(t, now, delays))
    return [due for due in found if due is not None]


def checkin_due(c: CheckinFacts, now: datetime, delays: Delays) -> Due | None:
    """The next "all good?" when its time has come; or, when the last one stayed unanswered past
    the grace period, a missed check-in (which the scheduler turns into an alarm)."""
    if c.awaiting_since is not None:
        if now >= c.awaiting_since + delays.checkin_grace:
            return Due(CHECKIN_MISSED, c.ticket_id, c.seq)
        return None
    if now >= c.next_due:
        return Due(CHECKIN, c.ticket_id, c.seq + 1)
    return None
