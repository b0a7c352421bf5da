"""The figures of the supervisors' dashboard, for one agency (the tickets it owns or was copied
on): opened and closed per week and per month; for one month, counts by category, destination
country, home province, status and channel, times to first response and to resolution (median
and 90th percentile), first-response target compliance, and the recruiters most reported with
their licence status. Counts only: nothing here names a person.

A recruiter is named only when the report matches the official registry (by licence number or
normalised company name); anything else a reporter typed is counted as "not in the registry",
because free text there may be a person's name."""

from __future__ import annotations

import json
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlmodel import Session, col
from sqlmodel import select as sqlmodel_select

from storage.desk_queue import visible
from storage.recruiter_search import licence_key, normalise_name
from storage.recruiter_table import RecruiterRow
from storage.tables import AuditRow, TicketRow

CHANNEL = "telegram"  # every ticket so far comes in through the Telegram bot


@dataclass(frozen=True)
class Period:
    start: datetime
    opened: int
    closed: int


@dataclass
class MonthFigures:
    month: date
    opened: int = 0
    closed: int = 0
    by_category: Counter[str] = field(default_factory=Counter)
    by_country: Counter[str] = field(default_factory=Counter)
    by_province: Counter[str] = field(default_factory=Counter)
    by_status: Counter[str] = field(default_factory=Counter)
    by_channel: Counter[str] = field(default_factory=Counter)
    first_response: tuple[float, float] | None = None  # median, p90 in seconds
    resolution: tuple[float, float] | None = None
    sla_due: int = 0  # tickets with a first-response target that has come (or was met)
    sla_met: int = 0
    recruiters: list[tuple[str, str, str, int]] = field(default_factory=list)  # name, licence, status, n
    unregistered_recruiters: int = 0


def month_start(day: date) -> datetime:
    return datetime(day.year, day.month, 1, tzinfo=UTC)


def next_month(start: datetime) -> datetime:
    return datetime(start.year + start.month // 12, start.month % 12 + 1, 1, tzinfo=UTC)


def previous_month(start: datetime) -> datetime:
    return datetime(start.year - (start.month == 1), (start.month - 2) % 12 + 1, 1, tzinfo=UTC)


def _count(session: Session, agency: str, column: Any, start: datetime, end: datetime) -> int:
    return int(
        session.execute(
            select(func.count()).select_from(TicketRow).where(visible(agency), column >= start, column < end)
        ).scalar_one()
    )


def periods(session: Session, agency: str, starts: list[datetime], end: datetime) -> list[Period]:
    """Opened and closed in each period from one start to the next (the last until ``end``):
    one query for the dates, counted here (a count query per period cost twenty times more)."""
    bounds = [*starts[1:], end]
    first = starts[0]
    rows = session.execute(
        select(col(TicketRow.created_at), col(TicketRow.closed_at)).where(
            visible(agency), or_(col(TicketRow.created_at) >= first, col(TicketRow.closed_at) >= first)
        )
    ).all()

    def slot(at: datetime | None) -> int | None:
        if at is None or at < first or at >= end:
            return None
        return bisect_right(starts, at) - 1

    opened, closed = [0] * len(starts), [0] * len(starts)
    for created, closed_at in rows:
        if (i := slot(created)) is not None:
            opened[i] += 1
        if (i := slot(closed_at)) is not None:
            closed[i] += 1
    return [Period(s, opened[i], closed[i]) for i, (s, _) in enumerate(zip(starts, bounds, strict=True))]


def weeks(now: datetime, count: int = 12) -> list[datetime]:
    monday = datetime(now.year, now.month, now.day, tzinfo=UTC) - timedelta(days=now.weekday())
    return [monday - timedelta(weeks=count - 1 - i) for i in range(count)]


def months(now: datetime, count: int = 12) -> list[datetime]:
    start = month_start(now.date())
    out = [start]
    for _ in range(count - 1):
        out.insert(0, previous_month(out[0]))
    return out


def _quantiles(values: list[float]) -> tuple[float, float] | None:
    """Median and 90th percentile (nearest rank), or None without values."""
    if not values:
        return None
    ordered = sorted(values)

    def rank(q: float) -> float:
        index = max(int(-(-q * len(ordered) // 1)) - 1, 0)
        return ordered[min(index, len(ordered) - 1)]

    return rank(0.5), rank(0.9)


def month_figures(session: Session, agency: str, start: datetime, now: datetime) -> MonthFigures:
    """The figures of tickets opened in the month from ``start`` (closed: closed in it)."""
    end = next_month(start)
    figures = MonthFigures(start.date())
    figures.closed = _count(session, agency, col(TicketRow.closed_at), start, end)
    rows = session.execute(
        select(
            col(TicketRow.id),
            col(TicketRow.category),
            col(TicketRow.country),
            col(TicketRow.status),
            col(TicketRow.created_at),
            col(TicketRow.first_response_at),
            col(TicketRow.first_response_due),
            col(TicketRow.closed_at),
        ).where(visible(agency), col(TicketRow.created_at) >= start, col(TicketRow.created_at) < end)
    ).all()
    ids = [r[0] for r in rows]
    resolved: dict[int, datetime] = {}
    if ids:
        resolved = {
            ticket_id: at
            for ticket_id, at in session.execute(
                select(col(AuditRow.ticket_id), func.min(col(AuditRow.at)))
                .where(col(AuditRow.ticket_id).in_(ids), col(AuditRow.action).in_(("resolve", "close")))
                .group_by(col(AuditRow.ticket_id))
            )
            if ticket_id is not None
        }
    responses, resolutions = [], []
    for ticket_id, category, country, status, created, first, due, closed in rows:
        figures.opened += 1
        figures.by_category[category] += 1
        figures.by_country[country or "unknown"] += 1
        figures.by_province["unknown"] += 1  # the bot does not ask for a home province (yet)
        figures.by_status[status] += 1
        figures.by_channel[CHANNEL] += 1
        if first is not None:
            responses.append((first - created).total_seconds())
        done = min((t for t in (resolved.get(ticket_id), closed) if t is not None), default=None)
        if done is not None:
            resolutions.append((done - created).total_seconds())
        if due is not None and (first is not None or due <= now):
            figures.sla_due += 1
            figures.sla_met += first is not None and first <= due
    figures.first_response = _quantiles(responses)
    figures.resolution = _quantiles(resolutions)
    _recruiters(session, ids, figures)
    return figures


def _recruiters(session: Session, ids: list[int], figures: MonthFigures) -> None:
    if not ids:
        return
    by_licence = {r.license_number: r for r in session.exec(sqlmodel_select(RecruiterRow))}
    by_name = {r.name_normalised: r for r in by_licence.values()}
    counts: Counter[str] = Counter()
    for (details,) in session.execute(select(col(TicketRow.details)).where(col(TicketRow.id).in_(ids))):
        try:
            data = json.loads(details or "{}")
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        licence = data.get("recruiter_license")
        name = data.get("recruiter_name") or data.get("recruiter")
        if not licence and not name:
            continue
        found = by_licence.get(licence_key(str(licence))) if licence else None
        if found is None and name:
            found = by_name.get(normalise_name(str(name)))
        if found is None:
            figures.unregistered_recruiters += 1
        else:
            counts[found.license_number] += 1
    figures.recruiters = [(by_licence[k].name, k, by_licence[k].status, n) for k, n in counts.most_common(10)]
