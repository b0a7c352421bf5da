"""Who may see and do what in the console, in one place.

An officer works for one agency (the staff row their account belongs to). They see the tickets
their agency owns or was copied on; a copied agency reads and answers but changes nothing of the
ticket's status; supervisors and admins also see their agency's dashboard and exports; admins
manage their agency's console accounts. What may be done to a ticket is the ticket model's
(``flows.ticket_rules``), the same as for a button in a staff chat; the service checks every
action again."""

from __future__ import annotations

from collections.abc import Sequence

from flows import ticket_rules as rules
from flows.staff import may_act

STATUS_ACTIONS = rules.STATUS_ACTIONS


def sees(agency: str, owner: str, copied: Sequence[str]) -> bool:
    return agency == owner or agency in copied


def may(agency: str, action: str, owner: str, copied: Sequence[str]) -> bool:
    """The same rule as a button in the agency's staff chat (flows/staff.py)."""
    return may_act(action, {agency}, agency, owner, tuple(copied))


def actions(agency: str, owner: str, copied: Sequence[str], status: str, taken_by: int | None) -> list[str]:
    """The status actions to offer this officer on a ticket: those the model allows from its
    status and with its holder (nobody takes a ticket someone has)."""
    taken = taken_by is not None
    return [
        a for a in STATUS_ACTIONS if rules.offered(a, status, taken=taken) and may(agency, a, owner, copied)
    ]


def may_write(agency: str, owner: str, copied: Sequence[str]) -> bool:
    """Answer the reporter, write notes, link tickets: every agency that sees the ticket."""
    return sees(agency, owner, copied)


def sees_dashboard(role: str) -> bool:
    return role in ("supervisor", "admin")


def manages_accounts(role: str) -> bool:
    return role == "admin"
