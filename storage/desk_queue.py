"""The console's queue: the tickets an agency sees (owned or copied), per view with their counts,
filtered and sorted by priority, then by the first-response due time still running.

Reads columns only (no encrypted field): a page of 10,000 tickets costs one count query and one
page query (bench/console.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from storage.tables import StaffRow, TicketCopyRow, TicketRow

VIEWS = ("mine", "unassigned", "all", "waiting", "closed")
AGES = {"1d": timedelta(days=1), "7d": timedelta(days=7), "30d": timedelta(days=30)}
PAGE_SIZE = 50


@dataclass(frozen=True)
class QueueFilter:
    view: str = "all"
    category: str | None = None
    country: str | None = None
    priority: str | None = None
    status: str | None = None
    age: str | None = None  # 1d | 7d | 30d (newer than) | old (older than 30 days)
    assignee: int | None = None  # a staff id; 0: nobody
    ref: str | None = None
    page: int = 1


@dataclass(frozen=True)
class QueueRow:
    ref: str
    priority: str
    category: str
    country: str | None
    status: str
    owner: str
    copied: bool  # the agency sees it as a copy
    taken_by: int | None
    taken_by_name: str | None
    created_at: datetime
    updated_at: datetime
    due: datetime | None
    first_response_at: datetime | None


def visible(agency: str) -> ColumnElement[bool]:
    copies = select(col(TicketCopyRow.ticket_id)).where(col(TicketCopyRow.agency) == agency)
    return or_(col(TicketRow.owner) == agency, col(TicketRow.id).in_(copies))


def _view(view: str, staff_id: int) -> ColumnElement[bool]:
    status, taken_by = col(TicketRow.status), col(TicketRow.taken_by)
    if view == "mine":
        return and_(taken_by == staff_id, status != "closed")
    if view == "unassigned":
        return and_(taken_by.is_(None), status.in_(("open", "waiting")))
    if view == "waiting":
        return status == "waiting"
    if view == "closed":
        return status == "closed"
    return status != "closed"


def counts(session: Session, agency: str, staff_id: int) -> dict[str, int]:
    """How many tickets each view holds, in one query."""
    columns: list[Any] = [
        func.coalesce(func.sum(case((_view(v, staff_id), 1), else_=0)), 0).label(v) for v in VIEWS
    ]
    row = session.execute(select(*columns).where(visible(agency))).one()
    return {view: int(row._mapping[view]) for view in VIEWS}


def _filters(flt: QueueFilter, agency: str, staff_id: int, now: datetime) -> list[ColumnElement[bool]]:
    where = [visible(agency), _view(flt.view if flt.view in VIEWS else "all", staff_id)]
    if flt.category:
        where.append(col(TicketRow.category) == flt.category)
    if flt.country:
        where.append(col(TicketRow.country) == flt.country)
    if flt.priority:
        where.append(col(TicketRow.priority) == flt.priority)
    if flt.status:
        where.append(col(TicketRow.status) == flt.status)
    if flt.age in AGES:
        where.append(col(TicketRow.created_at) >= now - AGES[flt.age])
    elif flt.age == "old":
        where.append(col(TicketRow.created_at) < now - AGES["30d"])
    if flt.assignee == 0:
        where.append(col(TicketRow.taken_by).is_(None))
    elif flt.assignee is not None:
        where.append(col(TicketRow.taken_by) == flt.assignee)
    if flt.ref:
        text = "".join(ch for ch in flt.ref.upper() if ch.isalnum() or ch == "-")
        if text:
            where.append(col(TicketRow.ref).contains(text, autoescape=True))
    return where


def filtered(flt: QueueFilter) -> bool:
    """True when ``flt`` narrows its view, so that the view's count is not the total."""
    return any(
        (flt.category, flt.country, flt.priority, flt.status, flt.age, flt.ref, flt.assignee is not None)
    )


def queue(
    session: Session,
    agency: str,
    staff_id: int,
    flt: QueueFilter,
    now: datetime,
    page_size: int = PAGE_SIZE,
    total: int | None = None,
) -> tuple[list[QueueRow], int]:
    """One page of the view and the number of tickets matching in all (``total``: already
    known, from ``counts`` of an unfiltered view).

    The page is found in two steps: the references in order (a sort that carries only the sort
    keys), then the columns of those fifty; sorting whole rows cost twice as much."""
    where = _filters(flt, agency, staff_id, now)
    if total is None:
        total = int(session.execute(select(func.count()).select_from(TicketRow).where(*where)).scalar_one())
    rank = case((col(TicketRow.priority) == "urgent", 0), (col(TicketRow.priority) == "high", 1), else_=2)
    # Only a first response still owed has a due time that matters for the order.
    pending_due = case(
        (col(TicketRow.first_response_at).is_(None), col(TicketRow.first_response_due)), else_=literal(None)
    )
    order: list[Any] = (
        [col(TicketRow.closed_at).desc()]
        if flt.view == "closed"
        else [rank, pending_due.asc().nulls_last(), col(TicketRow.created_at)]
    )
    page = max(flt.page, 1)
    ids = list(
        session.execute(
            select(col(TicketRow.id))
            .where(*where)
            .order_by(*order, col(TicketRow.id))
            .limit(page_size)
            .offset((page - 1) * page_size)
        ).scalars()
    )
    if not ids:
        return [], total
    staff = aliased(StaffRow)
    copies = select(col(TicketCopyRow.ticket_id)).where(
        col(TicketCopyRow.agency) == agency, col(TicketCopyRow.ticket_id).in_(ids)
    )
    columns: list[Any] = [
        TicketRow.id,
        TicketRow.ref,
        TicketRow.priority,
        TicketRow.category,
        TicketRow.country,
        TicketRow.status,
        TicketRow.owner,
        col(TicketRow.id).in_(copies).label("copied"),
        TicketRow.taken_by,
        staff.name,
        TicketRow.created_at,
        TicketRow.updated_at,
        TicketRow.first_response_due,
        TicketRow.first_response_at,
    ]
    found = {
        r[0]: r
        for r in session.execute(
            select(*columns)
            .outerjoin(staff, col(staff.id) == col(TicketRow.taken_by))
            .where(col(TicketRow.id).in_(ids))
        )
    }
    result = [
        QueueRow(
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            r[6],
            bool(r[7]) and r[6] != agency,
            r[8],
            r[9],
            r[10],
            r[11],
            r[12],
            r[13],
        )
        for r in (found[i] for i in ids if i in found)
    ]
    return result, total
