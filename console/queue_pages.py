"""The queue: views Mine / Unassigned / All / Waiting on reporter / Closed with their counts,
filters, the first-response countdown, and the status actions on one ticket or many at once.

Every action goes through the service (``Helpline.staff_act``), one ticket at a time, exactly as
a button in the agency's Telegram chat: the same checks, audit event, card update and notice to
the reporter. The table reloads itself every few seconds, so what happens on Telegram shows."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from bot.i18n import renderer
from console import access
from console.ticket_view import STATUS_LABELS
from console.web import Desk, Officer, fingerprint, unchanged
from flows import ticket_rules as rules
from flows.reference import PATTERN
from flows.text import M, Msg
from flows.vocab import ASSIST_CATEGORIES, COUNTRIES, OTHER_CATEGORIES, REPORT_CATEGORIES
from storage.desk_queue import AGES, VIEWS, QueueFilter, counts, filtered, queue
from storage.uow import UnitOfWork

REFRESH_SECONDS = 10


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def read_filter(request: Request) -> QueueFilter:
    q = request.query_params
    view = q.get("view") or "all"
    return QueueFilter(
        view=view if view in VIEWS else "all",
        category=q.get("category") or None,
        country=q.get("country") or None,
        priority=q.get("priority") if q.get("priority") in ("urgent", "high", "normal") else None,
        status=q.get("status") if q.get("status") in rules.STATUSES else None,
        age=q.get("age") if q.get("age") in (*AGES, "old") else None,
        assignee=_int(q.get("assignee")),
        ref=(q.get("ref") or "")[:20] or None,
        page=_int(q.get("page")) or 1,
    )


def query_string(flt: QueueFilter, **changes: Any) -> str:
    values = {**flt.__dict__, **changes}
    return urlencode(
        {k: v for k, v in values.items() if v not in (None, "") and not (k == "page" and v == 1)}
    )


def router(desk: Desk) -> APIRouter:
    r = APIRouter()

    def context(officer: Officer, flt: QueueFilter) -> dict[str, Any]:
        now = desk.clock()
        with UnitOfWork(desk.db) as uow:
            view_counts = counts(uow.session, officer.agency, officer.staff_id)
            known = None if filtered(flt) else view_counts[flt.view]
            rows, total = queue(uow.session, officer.agency, officer.staff_id, flt, now, total=known)
            colleagues = uow.staff.list(officer.agency)
        categories = [(o.id, o.label) for o in (*REPORT_CATEGORIES, *ASSIST_CATEGORIES)]
        categories += list(OTHER_CATEGORIES.items())
        return {
            # The countdowns change by the minute even when the tickets do not.
            "rows_fp": fingerprint(rows, view_counts, total, int(now.timestamp() // 60)),
            "rows": rows,
            "total": total,
            "counts": view_counts,
            "flt": flt,
            "colleagues": colleagues,
            # Bulk transfer: any other agency; each ticket is checked against its category.
            "transfer_agencies": [c for c in desk.helpline.agencies.codes if c != officer.agency],
            "categories": categories,
            "countries": [(o.id, o.label) for o in COUNTRIES],
            "views": VIEW_LABELS,
            "qs": lambda **c: query_string(flt, **c),
            "refresh": REFRESH_SECONDS,
            "pages": max((total + 49) // 50, 1),
            "access": access,
            "status_labels": STATUS_LABELS,
        }

    @r.get("/")
    def home(request: Request, officer: Officer = Depends(desk.officer)) -> Response:
        return desk.redirect(request, "/queue")

    @r.get("/queue")
    def queue_page(request: Request, officer: Officer = Depends(desk.officer)) -> Response:
        flt = read_filter(request)
        return desk.page(request, "queue.html", officer.lang, officer=officer, **context(officer, flt))

    @r.get("/queue/rows")
    def queue_rows(request: Request, officer: Officer = Depends(desk.officer)) -> Response:
        flt = read_filter(request)
        data = context(officer, flt)
        if (same := unchanged(request, data["rows_fp"])) is not None:
            return same
        return desk.page(request, "queue_rows.html", officer.lang, officer=officer, **data)

    @r.post("/queue/act")
    async def act(request: Request, officer: Officer = Depends(desk.posting)) -> Response:
        form = await request.form()
        refs = [str(v) for v in form.getlist("refs") if PATTERN.fullmatch(str(v))][:200]
        action = str(form.get("action") or "")
        single = str(form.get("single") or "")
        if ":" in single:  # a row's own button: that ticket alone, whatever else is ticked
            action, ref = single.split(":", 1)
            refs = [ref] if PATTERN.fullmatch(ref) else []
        assignee = _int(str(form.get("assignee") or ""))
        to_agency = str(form.get("to_agency") or "") or None
        back = str(form.get("back") or "/queue")
        if action not in access.STATUS_ACTIONS or not refs:
            desk.flash(officer, _text(officer, M("Choose one or more tickets and an action.")))
            return desk.redirect(request, back if back.startswith("/queue") else "/queue")
        done = 0
        answers: list[str] = []
        for ref in refs:
            answer, changed = await _run(desk, officer, action, ref, assignee, to_agency)
            done += changed
            if not changed:
                answers.append(f"{ref}: {answer}")
        summary = _text(officer, M("{done} of {count} done.", done=done, count=len(refs)))
        desk.flash(officer, " ".join([summary, *answers[:5]]))
        return desk.redirect(request, back if back.startswith(("/queue", "/tickets/")) else "/queue")

    return r


async def _run(
    desk: Desk, officer: Officer, action: str, ref: str, assignee: int | None, to_agency: str | None
) -> tuple[str, bool]:
    return await run_in_threadpool(
        desk.helpline.staff_act,
        officer.telegram_id,
        officer.agency,
        action,
        ref,
        staff_id=assignee,
        to_agency=to_agency,
    )


def _text(officer: Officer, msg: Msg) -> str:
    return renderer(officer.lang, "plain").text(msg)


VIEW_LABELS = {
    "mine": M("Mine"),
    "unassigned": M("Unassigned"),
    "all": M("All of my agency"),
    "waiting": M("Waiting on reporter"),
    "closed": M("Closed"),
}
