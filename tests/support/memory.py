"""In-memory stand-ins for the engine's read ports, fed by the engine's own events."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

from sqlmodel import Session, SQLModel, create_engine

from bot.agencies import shipped
from bot.understanding import Understanding
from flows.contacts import Contacts
from flows.events import Event, ReporterMessageAdded, TicketOpened
from flows.ports import (
    Context,
    Recruiter,
    RecruiterLookup,
    RegistryAnswer,
    ThreadEntry,
    TicketSummary,
    TicketView,
)
from flows.reference import new_reference
from flows.routing import RoutingTable
from storage.recruiter_search import RegistryIndex, normalise_name
from storage.recruiter_table import RecruiterRow
from storage.registry import import_csv

DATA = Path(__file__).resolve().parents[2] / "data"
SAMPLE = (
    Recruiter(
        "PT Bintang Samudra Karya (CONTOH)",
        "SIP3MI-T-0417",
        "active",
        date(2027, 6, 30),
        "Jawa Timur",
        "Malang",
    ),
    Recruiter(
        "PT Cahaya Fiktif Abadi (CONTOH)",
        "SIP3MI-X-0001",
        "revoked",
        date(2025, 1, 31),
        "Jawa Barat",
        "Bandung",
    ),
    Recruiter(
        "PT Cahaya Fiktif Lestari (CONTOH)",
        "SIP3MI-X-0002",
        "active",
        date(2028, 1, 1),
        "Jawa Barat",
        "Bekasi",
    ),
)


def load_contacts() -> Contacts:
    return Contacts.from_dict(json.loads((DATA / "contacts.json").read_text("utf-8")))


def load_routing() -> RoutingTable:
    return RoutingTable.from_dict(json.loads((DATA / "routing.json").read_text("utf-8")), shipped())


@cache
def understanding() -> Understanding:
    """The service's own reader of typed answers and countries, built once (it indexes every
    country name)."""
    return Understanding.from_file(DATA / "countries.json")


class MemoryRegistry:
    """The real search (``storage.recruiter_search.RegistryIndex``) over a few fictional
    recruiters given in code, so engine tests see exactly the answers the bot gives."""

    def __init__(self, rows: Sequence[Recruiter] = SAMPLE, is_sample: bool = True) -> None:
        self.rows, self.is_sample = tuple(rows), is_sample
        self.index = RegistryIndex.from_rows(
            RecruiterRow(
                id=position + 1,
                name=r.name,
                name_normalised=normalise_name(r.name),
                license_number=r.license_number,
                status=r.status,
                valid_until=r.valid_until,
                province=r.province,
                city=r.city,
                address="",
                phone="",
                destinations=";".join(r.destinations),
                source="test",
                updated_at=date(2026, 10, 1),
                is_sample=is_sample,
                imported_at=datetime(2026, 10, 2, tzinfo=UTC),
            )
            for position, r in enumerate(self.rows)
        )

    def search(self, query: str, limit: int = 3) -> RegistryAnswer:
        return self.index.search(query, limit)


@cache
def shipped_sample() -> RegistryIndex:
    """The registry as ``helpline chat --sample`` loads it: data/recruiters.sample.csv."""
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine, tables=[RecruiterRow.__table__])  # type: ignore[attr-defined]
    with Session(engine) as session:
        with (DATA / "recruiters.sample.csv").open(encoding="utf-8", newline="") as stream:
            import_csv(session, stream, now=datetime(2026, 10, 2, tzinfo=UTC), is_sample=True)
        session.commit()
        index = RegistryIndex.load(session)
    engine.dispose()
    return index


@dataclass
class MemoryTickets:
    """Tickets by reporter, built from TicketOpened / ReporterMessageAdded events. A message
    makes its ticket the most recently active; an officer's answer makes it wait on the reporter,
    the reporter's next message takes it back, as the service does."""

    owners: dict[str, str] = field(default_factory=dict)
    summaries: dict[str, TicketSummary] = field(default_factory=dict)
    threads: dict[str, list[ThreadEntry]] = field(default_factory=dict)

    def apply(self, user: str, events: Sequence[Event]) -> None:
        for event in events:
            if isinstance(event, TicketOpened):
                t = event.ticket
                self.owners[t.ref] = user
                self.summaries[t.ref] = TicketSummary(
                    t.ref, t.category, "open", t.created_at, t.created_at, t.owner
                )
                self.threads[t.ref] = []
            elif isinstance(event, ReporterMessageAdded):
                at = event.at or datetime.now()
                self.threads[event.ref].append(ThreadEntry("reporter", event.text, at))
                status = self.summaries[event.ref].status
                self.touch(event.ref, at, "open" if status == "waiting" else status)

    def answer(self, ref: str, agency: str, text: str, at: datetime) -> None:
        self.threads[ref].append(ThreadEntry(agency, text, at))
        self.touch(ref, at, "waiting")

    def set_status(self, ref: str, status: str, at: datetime) -> None:
        self.touch(ref, at, status)

    def touch(self, ref: str, at: datetime, status: str) -> None:
        self.summaries[ref] = replace(self.summaries[ref], status=status, updated_at=at)

    def reader(self, user: str) -> MemoryReader:
        return MemoryReader(self, user)


@dataclass
class MemoryReader:
    store: MemoryTickets
    user: str

    def my_tickets(self) -> Sequence[TicketSummary]:
        return [s for r, s in reversed(self.store.summaries.items()) if self.store.owners[r] == self.user]

    def my_ticket(self, ref: str) -> TicketView | None:
        if self.store.owners.get(ref) != self.user:
            return None
        return TicketView(self.store.summaries[ref], tuple(self.store.threads[ref]))


class Ids:
    """Seeded reference and id generators that persist across the steps of one conversation."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.count = 0

    def ref(self) -> str:
        return new_reference(self.rng.randbytes)

    def id(self) -> str:
        self.count += 1
        return f"id{self.count}"


def make_context(
    now: datetime, reader: MemoryReader, ids: Ids, registry: RecruiterLookup | None = None
) -> Context:
    """A deterministic context: the given clock, seeded references and ids."""
    return Context(
        now=now,
        new_ref=ids.ref,
        new_id=ids.id,
        registry=registry or MemoryRegistry(),
        tickets=reader,
        contacts=load_contacts(),
        routing=load_routing(),
        understand=understanding(),
    )
