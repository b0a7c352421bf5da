"""Who may see and do what in the console, in one place (so that it can follow the ticket rules
when they move into one table of the pure core).

An officer works for one agency (the staff row their account belongs to). They see the tickets
their agency owns or was copied on; a copied agency reads and answers but changes nothing of the
ticket's status; supervisors and admins also see their agency's dashboard and exports; admins
manage their agency's console accounts. The service checks every action again."""

from __future__ import annotations

from collections.abc import Sequence

from flows.staff import may_act

STATUS_ACTIONS = ("take", "assign", "transfer", "resolve", "close", "reopen")
# Which status actions make sense from which status (the service refuses the rest anyway).
OFFERED = {
    "open": ("take", "assign", "transfer", "resolve", "close"),
    "taken": ("assign", "transfer", "resolve", "close"),
    "waiting": ("take", "assign", "transfer", "resolve", "close"),
    "resolved": ("close",),
    "closed": ("reopen",),
}


def sees(agency: str, owner: str, copied: Sequence[str]) -> bool:
    return agency == owner or agency in copied


def may(agency: str, action: str, owner: str, copied: Sequence[str]) -> bool:
    """The same rule as a button in the agency's staff chat (flows/staff.py)."""
    return may_act(action, {agency}, agency, owner, tuple(copied))


def actions(
    agency: str, owner: str, copied: Sequence[str], status: str, taken_by: int | None, me: int
) -> list[str]:
    """The status actions to offer this officer on a ticket."""
    offered = [a for a in OFFERED.get(status, ()) if may(agency, a, owner, copied)]
    if taken_by == me:
        offered = [a for a in offered if a != "take"]
    return offered


def may_write(agency: str, owner: str, copied: Sequence[str]) -> bool:
    """Answer the reporter, write notes, link tickets: every agency that sees the ticket."""
    return sees(agency, owner, copied)


def sees_dashboard(role: str) -> bool:
    return role in ("supervisor", "admin")


def manages_accounts(role: str) -> bool:
    return role == "admin"
