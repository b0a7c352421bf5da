"""The supervisors' dashboard: counts per week, month, category, country, status and channel,
response and resolution times, target compliance, reported recruiters (named only when in the
registry), the same month last year; SVG drawn on the server; CSV of counts only, audited."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from console.web import Desk
from flows.events import NewTicket
from storage.desk_stats import _quantiles, month_figures, month_start
from storage.recruiter_table import RecruiterRow
from storage.tables import AuditRow
from storage.uow import UnitOfWork
from tests.console.conftest import Browser, add_officer, report


def add(desk: Desk, ref: str, created: datetime, **values: object) -> None:
    fields: dict[str, object] = {
        "ref": ref,
        "kind": "report",
        "category": "illegal_recruitment",
        "priority": "normal",
        "owner": "kp2mi",
        "copied": (),
        "lang": "id",
        "created_at": created,
        "idempotency_key": ref,
        "description": "Agen minta biaya 20 juta",
        "country": "MY",
        "contact_method": "phone",
        "contact_phone": "0812 3456 789",
    }
    fields.update(values)
    with UnitOfWork(desk.db) as uow:
        uow.tickets.open(NewTicket(**fields), None, created + timedelta(hours=48))  # type: ignore[arg-type]
        uow.commit()


def test_quantiles() -> None:
    assert _quantiles([]) is None
    assert _quantiles([5.0]) == (5.0, 5.0)
    assert _quantiles([float(v) for v in range(1, 11)]) == (5.0, 9.0)


def test_month_figures_count_only_the_agencys_tickets(desk: Desk) -> None:
    start = datetime(2026, 10, 1, tzinfo=UTC)
    with UnitOfWork(desk.db) as uow:
        uow.session.add(
            RecruiterRow(
                name="PT Contoh Maju",
                name_normalised="contoh maju",
                license_number="SIP3MI-T-0001",
                status="revoked",
                province="Jawa Timur",
                city="Malang",
                address="",
                phone="",
                destinations="",
                source="test",
                is_sample=True,
                imported_at=start,
            )
        )
        uow.commit()
    add(desk, "PMI-AAAA-0001", start + timedelta(days=1), details={"recruiter_license": "sip3mi-t-0001"})
    add(desk, "PMI-AAAA-0002", start + timedelta(days=2), details={"recruiter": "Pak Budi"}, country="TW")
    add(desk, "PMI-AAAA-0003", start + timedelta(days=3), owner="ppa-ppo")
    add(desk, "PMI-AAAA-0004", start - timedelta(days=3))  # September
    with UnitOfWork(desk.db) as uow:
        ticket = uow.tickets.get("PMI-AAAA-0001")
        assert ticket is not None
        uow.tickets.add_message(ticket, "kp2mi", "ok", start + timedelta(days=1, hours=2))
        uow.tickets.close("PMI-AAAA-0001", start + timedelta(days=5))
        uow.commit()
        figures = month_figures(uow.session, "kp2mi", start, start + timedelta(days=40))
    assert figures.opened == 2 and figures.closed == 1
    assert figures.by_country == {"MY": 1, "TW": 1} and figures.by_category == {"illegal_recruitment": 2}
    assert figures.by_channel == {"telegram": 2} and figures.by_province == {"unknown": 2}
    assert figures.first_response == (7200.0, 7200.0) and figures.resolution == (4 * 86400.0, 4 * 86400.0)
    assert (figures.sla_met, figures.sla_due) == (1, 2)  # the second one's target passed unanswered
    assert figures.recruiters == [("PT Contoh Maju", "SIP3MI-T-0001", "revoked", 1)]
    assert figures.unregistered_recruiters == 1  # "Pak Budi" may be a person: never named
    assert month_start(date(2026, 10, 31)) == start


def test_supervisors_see_the_dashboard_officers_do_not(desk: Desk, web: Browser) -> None:
    report(desk, 5001, "other")
    web.login(add_officer(desk, 7002, "kp2mi", "Dewi", role="officer"))
    assert web.client.get("/dashboard").status_code == 403
    assert web.client.get("/dashboard/export.csv").status_code == 403
    boss = Browser(desk, web.clock)
    boss.login(add_officer(desk, 7003, "kp2mi", "Bu Ani", role="supervisor"))
    page = boss.get("/dashboard")
    assert page.count("<svg") >= 7 and "Perekrut yang paling banyak dilaporkan" in page
    assert "Dasbor" in boss.get("/queue")


def test_the_export_holds_counts_and_no_personal_data(desk: Desk, web: Browser) -> None:
    now = desk.clock()
    add(desk, "PMI-AAAA-0001", now, victim_name="Siti Aminah")
    add(desk, "PMI-AAAA-0002", now.replace(year=now.year - 1))
    web.login(add_officer(desk, 7003, "kp2mi", "Bu Ani", role="supervisor"))
    answer = web.client.get(f"/dashboard/export.csv?month={now:%Y-%m}")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    text = answer.text
    for personal in ("Siti", "0812", "20 juta", "PMI-AAAA"):
        assert personal not in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["table", "key", f"{now:%Y-%m}", f"{now.year - 1}-{now:%m}"]
    assert ["total", "opened", "1", "1"] in rows and ["category", "illegal_recruitment", "1", "1"] in rows
    with UnitOfWork(desk.db) as uow:
        exported = uow.session.exec(select(AuditRow).where(AuditRow.action == "exported")).all()
    assert len(exported) == 1 and exported[0].actor.startswith("staff:")


def test_opened_and_closed_per_period(desk: Desk) -> None:
    from storage.desk_stats import periods

    start = datetime(2026, 9, 7, tzinfo=UTC)  # a Monday
    add(desk, "PMI-AAAA-0001", start + timedelta(days=1))
    add(desk, "PMI-AAAA-0002", start + timedelta(days=8))
    add(desk, "PMI-AAAA-0003", start - timedelta(days=1))  # before the first period
    with UnitOfWork(desk.db) as uow:
        uow.tickets.close("PMI-AAAA-0003", start + timedelta(days=9))
        uow.commit()
        found = periods(uow.session, "kp2mi", [start, start + timedelta(weeks=1)], start + timedelta(weeks=2))
    assert [(p.opened, p.closed) for p in found] == [(1, 0), (1, 1)]
