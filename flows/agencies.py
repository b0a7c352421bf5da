"""The agencies a ticket can reach, as data (``data/agencies.json``, read and checked by
``bot/agencies.py``): their codes, names in each language, kind, the environment variable that
holds their staff chat, contact lines for reporters, and which categories they may own. Pure:
nothing here reads a file; the code asks this model instead of naming two agencies.

A thread message's author is "reporter", "system" or the code of the agency that wrote it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from flows.text import Named

# Lower case, digits and dashes, at most 32 characters (storage's agency columns, migration 0011):
# room for desks such as "bp3mi-jatim" or "kbri-kuala-lumpur".
CODE = re.compile(r"^[a-z][a-z0-9-]{1,31}$")
KINDS = ("ministry", "police", "immigration", "provincial", "mission")
REPORTER, SYSTEM = "reporter", "system"
NOT_AGENCIES = (REPORTER, SYSTEM)
EVERY_CATEGORY = "*"


@dataclass(frozen=True)
class ContactLine:
    """One way for a reporter to reach an agency, with where the fact comes from."""

    label: Mapping[str, str]  # language -> label
    value: str
    source: str
    verified: bool = False


@dataclass(frozen=True)
class Agency:
    code: str
    kind: str
    name: Mapping[str, str]  # language -> short name ("KP2MI", "Polri PPA-PPO")
    full_name: Mapping[str, str]
    staff_chat_env: str  # the environment variable holding its staff chat's id
    may_own: frozenset[str] = frozenset({EVERY_CATEGORY})  # categories it may own (transfer)
    contacts: tuple[ContactLine, ...] = ()
    source: str = ""

    def owns(self, category: str) -> bool:
        return EVERY_CATEGORY in self.may_own or category in self.may_own

    def label(self) -> Named:
        return Named(tuple(self.name.items()))


@dataclass(frozen=True)
class Agencies:
    """Every configured agency, in the data file's order, and the one that owns what no routing
    rule names."""

    items: tuple[Agency, ...]
    default_owner: str
    _by_code: Mapping[str, Agency] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {a.code: a for a in self.items})

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(a.code for a in self.items)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Agency | None:
        return self._by_code.get(code)

    def label(self, code: str) -> Named:
        """The agency's name in the reader's language; an unknown code (a row written by a
        removed desk) is shown as itself rather than hidden."""
        agency = self._by_code.get(code)
        return agency.label() if agency is not None else Named((("", code),))

    def owners_for(self, category: str, *, besides: str | None = None) -> tuple[str, ...]:
        """The agencies that may own a ticket of ``category`` (a transfer's choices), but
        ``besides`` (the current owner)."""
        return tuple(a.code for a in self.items if a.owns(category) and a.code != besides)


def is_agency(author: str) -> bool:
    """Whether a thread author is an agency (not the reporter, not the system)."""
    return author not in NOT_AGENCIES and CODE.fullmatch(author) is not None


# The agencies the shipped data file holds (its test checks them).
SHIPPED = ("kp2mi", "ppa-ppo", "imigrasi")

# The agencies in use, installed once at start by the loader (bot/agencies.py), as the gettext
# catalogs are: pure functions that only name an agency (a card's "copy:" line, a thread's
# "Officer KP2MI") read the names from here instead of carrying the registry through every call.
_in_use: list[Agencies] = []


def use(agencies: Agencies) -> None:
    _in_use[:] = [agencies]


def in_use() -> Agencies | None:
    return _in_use[0] if _in_use else None


def label(code: str) -> Named:
    """The name of agency ``code`` from the agencies in use; the code itself before any are."""
    agencies = in_use()
    return agencies.label(code) if agencies is not None else Named((("", code),))
