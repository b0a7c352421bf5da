"""The ticket model, pure: statuses, what may happen to a ticket from each status, who may make it
happen, and the priority and first-response (SLA) rules. Storage loads and saves; the service, the
care scheduler and the console ask here.

One table says it all: for each action, who may do it and where the ticket goes from each status
it is allowed from. A status missing from an action's row means "not from there" (refused,
nothing changes).

=============== ===================== =========================================================
action          who                   from -> to
=============== ===================== =========================================================
take            owner agency          open, waiting -> taken (only while nobody has it)
assign          owner agency          open -> taken; taken, waiting stay
transfer        owner agency          open, taken, waiting, resolved -> open (new owner takes)
resolve         owner agency          open, taken, waiting -> resolved
close           owner agency          open, taken, waiting, resolved -> closed
merge           owner agency          (the merged ticket) as close
reopen          owner agency          closed -> back (taken if an officer had it, else open)
reply           owner, copied agency  open, taken -> waiting; waiting, resolved, closed stay
view            owner, copied agency  every status stays
reporter_wrote  the reporter          waiting -> back; every other status stays
alarm           reporter, system      every status stays; the priority becomes urgent
autoclose       system (a timer)      resolved -> closed
erase           the reporter          open, taken, waiting, resolved -> closed; closed stays
=============== ===================== =========================================================

A timer is just another actor: the scheduler resumes from stored facts and asks the same table
(``autoclose``), so a restart or a clock jump changes nothing of the answer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

OPEN, TAKEN, WAITING, RESOLVED, CLOSED = "open", "taken", "waiting", "resolved", "closed"
STATUSES = (OPEN, TAKEN, WAITING, RESOLVED, CLOSED)
# Someone is (or should be) working on it.
LIVE = (OPEN, TAKEN, WAITING)
# Over, or about to be: safety check-ins stop, nobody new is assigned.
FINISHED = (RESOLVED, CLOSED)

# Who acts, as seen from one ticket. An agency is its owner, copied on it, or neither.
OWNER, COPIED, OUTSIDER, REPORTER, SYSTEM = "owner", "copied", "outsider", "reporter", "system"
ACTORS = (OWNER, COPIED, OUTSIDER, REPORTER, SYSTEM)

# Destinations that depend on the ticket rather than on the action alone.
BACK = "back"  # to the officer who had it (taken), or to the agency (open) if nobody had
SAME = "same"  # the status does not change

PRIORITIES = ("urgent", "high", "normal")  # most pressing first


@dataclass(frozen=True)
class Rule:
    who: frozenset[str]
    moves: Mapping[str, str]  # from status -> to status, BACK or SAME
    untaken_only: bool = False  # refused while an officer has the ticket


def _rule(who: tuple[str, ...], moves: Mapping[str, str], *, untaken_only: bool = False) -> Rule:
    return Rule(frozenset(who), dict(moves), untaken_only)


def _every(to: str, statuses: tuple[str, ...] = STATUSES) -> dict[str, str]:
    return dict.fromkeys(statuses, to)


_AGENCY = (OWNER, COPIED)
RULES: Mapping[str, Rule] = {
    "take": _rule((OWNER,), {OPEN: TAKEN, WAITING: TAKEN}, untaken_only=True),
    "assign": _rule((OWNER,), {OPEN: TAKEN, TAKEN: SAME, WAITING: SAME}),
    "transfer": _rule((OWNER,), _every(OPEN, (*LIVE, RESOLVED))),
    "resolve": _rule((OWNER,), _every(RESOLVED, LIVE)),
    "close": _rule((OWNER,), _every(CLOSED, (*LIVE, RESOLVED))),
    "merge": _rule((OWNER,), _every(CLOSED, (*LIVE, RESOLVED))),
    "reopen": _rule((OWNER,), {CLOSED: BACK}),
    "reply": _rule(_AGENCY, {**_every(SAME), OPEN: WAITING, TAKEN: WAITING}),
    "view": _rule(_AGENCY, _every(SAME)),
    "reporter_wrote": _rule((REPORTER,), {**_every(SAME), WAITING: BACK}),
    "alarm": _rule((REPORTER, SYSTEM), _every(SAME)),
    "autoclose": _rule((SYSTEM,), {RESOLVED: CLOSED}),
    "erase": _rule((REPORTER,), {**_every(CLOSED, (*LIVE, RESOLVED)), CLOSED: SAME}),
}
ACTIONS = tuple(RULES)
# What an officer may do from a staff chat or the console, as opposed to the reporter or a timer.
STAFF_ACTIONS = tuple(a for a, r in RULES.items() if r.who & {OWNER, COPIED})
# The actions that change a ticket's status or holder (the console's action buttons).
STATUS_ACTIONS = ("take", "assign", "transfer", "resolve", "close", "reopen")


def relation(agency: str | None, owner: str, copied: tuple[str, ...] | frozenset[str]) -> str:
    """What ``agency`` is to a ticket: its owner, a copied agency, or an outsider."""
    if agency is not None and agency == owner:
        return OWNER
    return COPIED if agency is not None and agency in copied else OUTSIDER


def may(action: str, actor: str) -> bool:
    """May this kind of actor do ``action`` at all (whatever the ticket's status)?"""
    rule = RULES.get(action)
    return rule is not None and actor in rule.who


def next_status(action: str, status: str, *, taken: bool = False) -> str | None:
    """Where ``action`` takes a ticket in ``status`` (``taken``: an officer has it); None when the
    action is not allowed from there."""
    rule = RULES.get(action)
    if rule is None or status not in rule.moves or (rule.untaken_only and taken):
        return None
    to = rule.moves[status]
    if to == SAME:
        return status
    if to == BACK:
        return TAKEN if taken else OPEN
    return to


def decide(action: str, actor: str, status: str, *, taken: bool = False) -> str | None:
    """The status after ``actor`` does ``action``, or None when refused (by who or by status)."""
    return next_status(action, status, taken=taken) if may(action, actor) else None


def sources(action: str) -> tuple[str, ...]:
    """The statuses ``action`` is allowed from (for a conditional UPDATE's WHERE)."""
    rule = RULES.get(action)
    return tuple(s for s in STATUSES if rule is not None and s in rule.moves)


def offered(action: str, status: str, *, taken: bool = False) -> bool:
    """Whether a status action is worth offering (it would change something from ``status``)."""
    return next_status(action, status, taken=taken) is not None


def assign_changes(taken_by: int | None, assignee: int) -> bool:
    """Handing a ticket to the officer who already has it changes nothing."""
    return taken_by != assignee


def transfer_changes(owner: str, to_agency: str) -> bool:
    return owner != to_agency


def may_merge_into(status: str) -> bool:
    """The ticket a merge keeps must still be followed: not a closed one."""
    return status != CLOSED


# -- care --------------------------------------------------------------------------------------
def awaits_first_response(status: str, *, taken: bool, answered: bool) -> bool:
    """Nobody has taken or answered it yet: the first-response clock (SLA) is running."""
    return status == OPEN and not taken and not answered


def awaits_reporter(status: str) -> bool:
    """An officer answered and waits on the reporter: reminders may be due."""
    return status == WAITING


def checkins_run(status: str) -> bool:
    """Safety check-ins stop by themselves once the ticket is over."""
    return status not in FINISHED


# -- priority and SLA --------------------------------------------------------------------------
def higher(a: str, b: str) -> str:
    """The more pressing of two priorities."""
    return a if PRIORITIES.index(a) <= PRIORITIES.index(b) else b


def raised(priority: str) -> str | None:
    """An alarm (words of danger, a "Not OK" or missed check-in) makes a ticket urgent; None when
    it already is."""
    return None if priority == "urgent" else "urgent"


def first_response_due(created_at: datetime, priority: str, sla: Mapping[str, timedelta]) -> datetime:
    """When an agency should have answered: the creation time plus the target of its priority."""
    return created_at + sla[priority]
