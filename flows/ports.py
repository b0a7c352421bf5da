"""What the engine may ask of the world, as read-only ports injected with the clock and id generator.

The engine reads through these and never writes: writes leave it as events. Implementations live in
``storage`` (database-backed) and in tests (in-memory)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from flows.contacts import Contacts
from flows.routing import RoutingTable
from flows.steps import Option


@dataclass(frozen=True)
class Recruiter:
    name: str
    license_number: str
    status: str  # active | suspended | revoked | expired
    valid_until: date | None
    province: str = ""
    city: str = ""
    destinations: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class RegistryAnswer:
    """What the registry says about one query, and what the user must know about the registry.

    ``found`` holds only companies with the same licence number or the same name (SPEC section
    5): nothing else may ever be presented as the company the person named. ``close`` are names
    one letter away from the query ("did you mean"), ``similar`` other names like it; a company is
    in one of the three at most, and close and similar together are at most the limit asked."""

    found: tuple[Recruiter, ...]
    updated_at: date | None
    is_sample: bool
    close: tuple[Recruiter, ...] = ()
    similar: tuple[Recruiter, ...] = ()
    by_licence: bool = False  # ``found`` matched the licence number, not the name

    @property
    def candidates(self) -> tuple[Recruiter, ...]:
        return (*self.found, *self.close, *self.similar)


class RecruiterLookup(Protocol):
    def search(self, query: str, limit: int = 3) -> RegistryAnswer: ...


@dataclass(frozen=True)
class ThreadEntry:
    author: str  # "reporter" or an agency id (kp2mi | ppa-ppo)
    text: str
    at: datetime


@dataclass(frozen=True)
class TicketSummary:
    ref: str
    category: str
    status: str  # open | taken | waiting | resolved | closed
    created_at: datetime
    updated_at: datetime
    owner: str


@dataclass(frozen=True)
class TicketView:
    summary: TicketSummary
    thread: tuple[ThreadEntry, ...]


class TicketReader(Protocol):
    """Tickets of the person writing, and only theirs (the implementation is bound to that person)."""

    def my_tickets(self) -> Sequence[TicketSummary]: ...

    def my_ticket(self, ref: str) -> TicketView | None: ...


class Understanding(Protocol):
    """Reads what a person typed where the bot offered buttons or asked for a country. The
    implementation (``bot/understanding.py``) knows every language's labels and the countries'
    names and misspellings, and matches loosely; the engine only routes on what it returns."""

    def choice(self, text: str, options: Sequence[Option]) -> str | None:
        """The id of the option ``text`` means, or None when it means none of them for sure."""
        ...

    def country(self, text: str) -> str | None:
        """The ISO 3166 code of the country ``text`` names (alone or in a sentence), or None."""
        ...

    def place_named(self, text: str) -> str | None:
        """The country named exactly right after a place word ("di", "in", ...), or None: where
        the person says they are, never a guess."""
        ...


@dataclass(frozen=True)
class Context:
    """Everything the engine may use besides state and the message: clock, ids, read ports, data."""

    now: datetime
    new_ref: Callable[[], str]
    new_id: Callable[[], str]
    registry: RecruiterLookup
    tickets: TicketReader
    contacts: Contacts
    routing: RoutingTable
    understand: Understanding
    # 2026-12: the notice names every agency in data/agencies.json (Imigrasi joined).
    privacy_version: str = "2026-12"
