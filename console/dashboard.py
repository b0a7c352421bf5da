"""The supervisors' dashboard: the figures a ministry reports, for the officer's agency, as
tables and server-drawn SVG charts, a month beside the same month a year earlier; and the same
tables as CSV (counts only). Every export is an audit event."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from bot.i18n import renderer
from console import access, charts
from console.ticket_view import STATUS_LABELS
from console.web import Desk, Officer, span
from flows.text import M
from flows.vocab import category_label, country_label
from storage.desk_stats import MonthFigures, month_figures, month_start, months, periods, weeks
from storage.uow import UnitOfWork

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def chosen_month(text: str | None, now: datetime) -> datetime:
    match = _MONTH.match(text or "")
    if match and 2000 <= int(match.group(1)) <= 2100 and 1 <= int(match.group(2)) <= 12:
        return datetime(int(match.group(1)), int(match.group(2)), 1, tzinfo=UTC)
    return month_start(now.date())


def _year_before(start: datetime) -> datetime:
    return start.replace(year=start.year - 1)


def tables(
    figures: MonthFigures, before: MonthFigures, lang: str
) -> list[tuple[str, list[tuple[str, int, int]]]]:
    """(title, rows of (label, this month, same month last year)) for every count table."""
    render = renderer(lang, "plain")

    def rows(now: dict[str, int], then: dict[str, int], label: Any) -> list[tuple[str, int, int]]:
        keys = sorted(set(now) | set(then), key=lambda k: (-now.get(k, 0), k))
        return [(label(k), now.get(k, 0), then.get(k, 0)) for k in keys]

    def country(code: str) -> str:
        found = country_label(code)
        return (
            render.text(found)
            if found is not None
            else render.text(M("unknown"))
            if code == "unknown"
            else code
        )

    def plain(key: str) -> str:
        return render.text(M("unknown")) if key == "unknown" else key

    return [
        (
            render.text(M("By category")),
            rows(figures.by_category, before.by_category, lambda k: render.text(category_label(k))),
        ),
        (render.text(M("By destination country")), rows(figures.by_country, before.by_country, country)),
        (render.text(M("By home province")), rows(figures.by_province, before.by_province, plain)),
        (
            render.text(M("By status")),
            rows(figures.by_status, before.by_status, lambda k: render.text(STATUS_LABELS.get(k) or k)),
        ),
        (render.text(M("By channel")), rows(figures.by_channel, before.by_channel, plain)),
    ]


def router(desk: Desk) -> APIRouter:
    r = APIRouter()

    def gather(officer: Officer, start: datetime) -> dict[str, Any]:
        now = desk.clock()
        with UnitOfWork(desk.db) as uow:
            week_starts = weeks(now)
            month_starts = months(now)
            weekly = periods(uow.session, officer.agency, week_starts, now)
            monthly = periods(uow.session, officer.agency, month_starts, now)
            figures = month_figures(uow.session, officer.agency, start, now)
            before = month_figures(uow.session, officer.agency, _year_before(start), now)
        return {"weekly": weekly, "monthly": monthly, "figures": figures, "before": before}

    def allowed(request: Request, officer: Officer) -> Response | None:
        if access.sees_dashboard(officer.role):
            return None
        return desk.page(request, "forbidden.html", officer.lang, status_code=403, officer=officer)

    @r.get("/dashboard")
    def dashboard(request: Request, officer: Officer = Depends(desk.officer)) -> Response:
        if (refusal := allowed(request, officer)) is not None:
            return refusal
        start = chosen_month(request.query_params.get("month"), desk.clock())
        data = gather(officer, start)
        lang = officer.lang
        render = renderer(lang, "plain")
        opened, closed = render.text(M("opened")), render.text(M("closed"))
        weekly_svg = charts.columns(
            [p.start.strftime("%d/%m") for p in data["weekly"]],
            [
                (opened, "opened", [p.opened for p in data["weekly"]]),
                (closed, "closed", [p.closed for p in data["weekly"]]),
            ],
            render.text(M("Per week")),
        )
        monthly_svg = charts.columns(
            [p.start.strftime("%m/%y") for p in data["monthly"]],
            [
                (opened, "opened", [p.opened for p in data["monthly"]]),
                (closed, "closed", [p.closed for p in data["monthly"]]),
            ],
            render.text(M("Per month")),
        )
        month_label, before_label = start.strftime("%Y-%m"), _year_before(start).strftime("%Y-%m")
        count_tables = tables(data["figures"], data["before"], lang)
        table_svgs = [
            charts.bars(rows[:10], title, month_label, before_label) for title, rows in count_tables
        ]
        return desk.page(
            request,
            "dashboard.html",
            lang,
            officer=officer,
            weekly_svg=weekly_svg,
            monthly_svg=monthly_svg,
            tables=list(zip(count_tables, table_svgs, strict=True)),
            month=month_label,
            before_month=before_label,
            duration=_duration,
            month_choices=[m.strftime("%Y-%m") for m in reversed(months(desk.clock(), 24))],
            **data,
        )

    @r.get("/dashboard/export.csv")
    def export(request: Request, officer: Officer = Depends(desk.officer)) -> Response:
        if (refusal := allowed(request, officer)) is not None:
            return refusal
        start = chosen_month(request.query_params.get("month"), desk.clock())
        data = gather(officer, start)
        figures, before = data["figures"], data["before"]
        out = io.StringIO()
        writer = csv.writer(out)
        month, last_year = start.strftime("%Y-%m"), _year_before(start).strftime("%Y-%m")
        writer.writerow(["table", "key", month, last_year])
        for name, now_counts, then_counts in (
            ("category", figures.by_category, before.by_category),
            ("country", figures.by_country, before.by_country),
            ("province", figures.by_province, before.by_province),
            ("status", figures.by_status, before.by_status),
            ("channel", figures.by_channel, before.by_channel),
        ):
            for key in sorted(set(now_counts) | set(then_counts)):
                writer.writerow([name, key, now_counts.get(key, 0), then_counts.get(key, 0)])
        writer.writerow(["total", "opened", figures.opened, before.opened])
        writer.writerow(["total", "closed", figures.closed, before.closed])
        writer.writerow(["sla", "due", figures.sla_due, before.sla_due])
        writer.writerow(["sla", "met", figures.sla_met, before.sla_met])
        for label, pair_now, pair_then in (
            ("first_response", figures.first_response, before.first_response),
            ("resolution", figures.resolution, before.resolution),
        ):
            for index, stat in enumerate(("median_seconds", "p90_seconds")):
                writer.writerow(
                    [
                        label,
                        stat,
                        int(pair_now[index]) if pair_now else "",
                        int(pair_then[index]) if pair_then else "",
                    ]
                )
        for name, licence, status, count in figures.recruiters:
            writer.writerow(["recruiter", f"{licence} {name} ({status})", count, ""])
        writer.writerow(
            [
                "recruiter",
                "not in the registry",
                figures.unregistered_recruiters,
                before.unregistered_recruiters,
            ]
        )
        for period in data["weekly"]:
            writer.writerow(
                ["week_opened_closed", period.start.date().isoformat(), period.opened, period.closed]
            )
        for period in data["monthly"]:
            writer.writerow(
                ["month_opened_closed", period.start.strftime("%Y-%m"), period.opened, period.closed]
            )
        with UnitOfWork(desk.db) as uow:
            uow.audit.record(
                None,
                f"staff:{officer.staff_id}",
                "exported",
                {"what": "dashboard", "month": month, "agency": officer.agency, "via": "console"},
                desk.clock(),
            )
            uow.commit()
        filename = f"helpline-{officer.agency}-{month}.csv"
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    return r


def _duration(pair: tuple[float, float] | None, index: int) -> str:
    return "–" if pair is None else span(timedelta(seconds=pair[index]))
