"""The /cek answer as a person receives it: messages per answer and per whole check, over the
shipped sample registry, through the pure engine exactly as the service calls it.

Telegram paces one chat at about one message a second, so every extra message of an answer is
about a second the person waits, tapping buttons of a message that is already out of date."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlmodel import Session, SQLModel, create_engine

from bot.agencies import shipped
from bot.i18n import renderer
from bot.understanding import Understanding
from flows.contacts import Contacts
from flows.engine import Result, step
from flows.incoming import ChoiceIn, CommandIn, Incoming, TextIn
from flows.ports import Context, TicketSummary, TicketView
from flows.routing import RoutingTable
from flows.state import State
from storage.recruiter_search import RegistryIndex
from storage.recruiter_table import RecruiterRow
from storage.registry import import_csv

DATA = Path(__file__).resolve().parents[1] / "data"
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
TELEGRAM_LIMIT = 4096
# One query for each kind of answer, as people type them.
QUERIES: tuple[tuple[str, str], ...] = (
    ("active, by name", "PT. Bintang Samudra Karya"),
    ("active, licence with spaces", "sip3mi - t - 0417"),
    ("suspended", "Kenari Pelangi Tujuh"),
    ("revoked", "pt mercusuar kertas abadi"),
    ("expired", "Layang-Layang Biru Sejahtera"),
    ("lookalike", "PT Bintang Samudra Jaya"),
    ("one-letter typo", "PT Bintang Samudra Karja"),
    ("unknown", "PT Maju Terus Sejahtera"),
)


class _NoTickets:
    def my_tickets(self) -> Sequence[TicketSummary]:
        return []

    def my_ticket(self, ref: str) -> TicketView | None:
        return None


@cache
def sample_index() -> RegistryIndex:
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine, tables=[RecruiterRow.__table__])  # type: ignore[attr-defined]
    with Session(engine) as session:
        with (DATA / "recruiters.sample.csv").open(encoding="utf-8", newline="") as stream:
            import_csv(session, stream, now=NOW, is_sample=True)
        session.commit()
        index = RegistryIndex.load(session)
    engine.dispose()
    return index


@cache
def _understanding() -> Understanding:
    return Understanding.from_file(DATA / "countries.json")


def _context() -> Context:
    counter = iter(range(1, 1_000_000))
    return Context(
        now=NOW,
        new_ref=lambda: f"PMI-BNCH-{next(counter):04d}",
        new_id=lambda: f"id{next(counter)}",
        registry=sample_index(),
        tickets=_NoTickets(),
        contacts=Contacts.from_dict(json.loads((DATA / "contacts.json").read_text("utf-8"))),
        routing=RoutingTable.from_dict(json.loads((DATA / "routing.json").read_text("utf-8")), shipped()),
        understand=_understanding(),
    )


@dataclass
class _Run:
    state: State
    ctx: Context
    messages: int = 0
    longest: int = 0
    last: Result | None = None

    def send(self, incoming: Incoming) -> Result:
        result = step(self.state, incoming, self.ctx)
        self.state = State.from_dict(json.loads(json.dumps(result.state.to_dict())))
        self.messages += len(result.replies)
        render = renderer(self.state.lang)
        for reply in result.replies:
            self.longest = max(self.longest, len(render.lines(reply.lines)))
        self.last = result
        return result

    def press(self, choice: str) -> bool:
        assert self.last is not None
        for reply in reversed(self.last.replies):
            for row in reply.buttons:
                for button in row:
                    if button.data.split(".", 1)[1] == choice:
                        self.send(ChoiceIn(button.data))
                        return True
        return False


def measure(query: str, lang: str = "id") -> dict[str, Any]:
    """Messages answering the typed name, and in the whole check up to the verdict."""
    run = _Run(State(lang=lang, lang_chosen=True, consent=True, role="prospective"), _context())
    run.send(CommandIn("cek", ""))
    answer = run.send(TextIn(query))
    per_answer = len(answer.replies)
    if not run.press("check"):  # a company picked from several first
        run.press("0")
        run.press("check")
    for _ in range(6):
        run.press("no")
    return {"answer": per_answer, "whole": run.messages, "longest": run.longest}


def bench() -> list[list[object]]:
    rows = []
    for kind, query in QUERIES:
        figures = measure(query)
        rows.append(
            [
                kind,
                query,
                figures["answer"],
                f"{max(figures['answer'] - 1, 0)} s",
                figures["whole"],
                f"{figures['longest']:,} / {TELEGRAM_LIMIT:,}",
            ]
        )
    return rows


HEADERS = [
    "answer",
    "query",
    "messages in the answer",
    "last one after (1 msg/s)",
    "messages /cek to verdict",
    "longest message chars",
]
