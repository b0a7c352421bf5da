"""The queue: views with counts, visibility per agency, order by priority then due time,
filters, and the actions, singly and in bulk, going through the service (cards updated, the
reporter told) exactly as the buttons in Telegram."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col, select

from console.web import Desk
from storage.tables import AuditRow, OutboxRow, TicketRow
from storage.uow import UnitOfWork
from tests.console.conftest import Browser, add_officer, report
from tests.support.service import KP2MI_CHAT, PPA_CHAT


def refs_on(page: str) -> list[str]:
    return re.findall(r'<a href="/tickets/(PMI-[0-9A-Z-]+)">', page)


def count(page: str, view: str) -> int:
    found = re.search(rf'id="view-{view}">[^<]*<span class="count">(\d+)</span>', page)
    assert found, view
    return int(found.group(1))


def outbox(desk: Desk, chat: int, kind: str | None = None) -> list[OutboxRow]:
    with UnitOfWork(desk.db) as uow:
        query = select(OutboxRow).where(OutboxRow.chat_id == chat).order_by(col(OutboxRow.id))
        rows = list(uow.session.exec(query))
    return [r for r in rows if kind is None or r.kind == kind]


def test_each_agency_sees_its_own_and_copied_tickets_only(desk: Desk, web: Browser) -> None:
    held = report(desk, 5001, "held")  # Polri PPA-PPO owns it, KP2MI has a copy
    other = report(desk, 5002, "other")  # KP2MI only
    web.login(add_officer(desk, 7001, "ppa-ppo", "Sari"))
    page = web.get("/queue")
    assert refs_on(page) == [held] and other not in page
    assert count(page, "all") == 1 and count(page, "unassigned") == 1 and count(page, "mine") == 0


def test_urgent_first_then_the_earliest_due(desk: Desk, web: Browser) -> None:
    a, b, c = (report(desk, worker, "other") for worker in (5001, 5002, 5003))
    with UnitOfWork(desk.db) as uow:
        ticket_a, ticket_c = uow.tickets.get(a), uow.tickets.get(c)
        assert ticket_a is not None and ticket_c is not None and ticket_a.first_response_due
        uow.session.execute(update(TicketRow).where(col(TicketRow.ref) == b).values(priority="urgent"))
        uow.session.execute(
            update(TicketRow)
            .where(col(TicketRow.ref) == c)
            .values(first_response_due=ticket_a.first_response_due - timedelta(hours=1))
        )
        uow.commit()
    web.login(add_officer(desk, 7002, "kp2mi", "Dewi"))
    assert refs_on(web.get("/queue")) == [b, c, a]


def test_take_from_the_queue_updates_the_card_and_tells_the_reporter(desk: Desk, web: Browser) -> None:
    ref = report(desk, 5001, "other")
    web.login(add_officer(desk, 7002, "kp2mi", "Dewi"))
    before = len(outbox(desk, KP2MI_CHAT, "card_update"))
    page = web.post("/queue/act", single=f"take:{ref}", back="/queue?view=mine")
    assert "1 dari 1 selesai" in page and refs_on(page) == [ref] and count(page, "mine") == 1
    edits = outbox(desk, KP2MI_CHAT, "card_update")
    assert len(edits) == before + 1 and "Dewi" in edits[-1].payload
    assert any("your message has been read" in r.payload for r in outbox(desk, 5001))
    with UnitOfWork(desk.db) as uow:
        ticket = uow.tickets.get(ref)
        assert ticket is not None and ticket.status == "taken"
        actions = [(a.actor, a.action) for a in uow.audit.for_ticket(ticket.id or 0)]
    assert actions[-1][1] == "take" and actions[-1][0].startswith("staff:")


def test_bulk_actions_report_what_was_done(desk: Desk, web: Browser) -> None:
    first, second = report(desk, 5001, "other"), report(desk, 5002, "other")
    add_officer(desk, 7004, "kp2mi", "Budi")
    web.login(add_officer(desk, 7002, "kp2mi", "Dewi"))
    with UnitOfWork(desk.db) as uow:
        budi = next(s for s in uow.staff.list("kp2mi") if s.name == "Budi")
    page = web.post("/queue/act", refs=[first, second], action="assign", assignee=str(budi.id))
    assert "2 dari 2 selesai" in page
    page = web.get(f"/queue?assignee={budi.id}")
    assert set(refs_on(page)) == {first, second}
    page = web.post("/queue/act", refs=[first, second], action="close")
    assert "2 dari 2 selesai" in page and count(page, "closed") == 2
    page = web.post("/queue/act", refs=[first], action="close")
    assert "0 dari 1 selesai" in page  # already closed: nothing changed, and it says so


def test_a_copied_agency_cannot_change_the_status(desk: Desk, web: Browser) -> None:
    ref = report(desk, 5001, "held")  # owner Polri PPA-PPO, copy KP2MI
    web.login(add_officer(desk, 7002, "kp2mi", "Dewi"))
    page = web.post("/queue/act", refs=[ref], action="close")
    assert "0 dari 1 selesai" in page
    with UnitOfWork(desk.db) as uow:
        ticket = uow.tickets.get(ref)
        assert ticket is not None and ticket.status == "open"
        refused = uow.session.exec(select(AuditRow).where(AuditRow.action == "refused")).all()
    assert refused and '"via":"console"' in refused[-1].data


def test_transfer_hands_the_ticket_to_the_other_agency(desk: Desk, web: Browser) -> None:
    ref = report(desk, 5001, "other")
    web.login(add_officer(desk, 7002, "kp2mi", "Dewi"))
    web.post("/queue/act", refs=[ref], action="transfer")
    assert outbox(desk, PPA_CHAT, "card")  # the new owner's group gets the card
    page = web.get("/queue")
    assert ref in page and "salinan" in page  # KP2MI keeps a copy


def test_transfer_offers_every_agency_that_may_own_the_category(desk: Desk, web: Browser) -> None:
    ref = report(desk, 5001, "fake_documents")  # KP2MI owns it; Polri PPA-PPO and Imigrasi may too
    web.login(add_officer(desk, 7002, "kp2mi", "Dewi"))
    page = web.get(f"/tickets/{ref}")
    assert re.search(
        r'<select name="to_agency"[^>]*><option value="ppa-ppo">Polri PPA-PPO</option>'
        r'<option value="imigrasi">Imigrasi</option></select>',
        page,
    )
    web.post("/queue/act", refs=[ref], action="transfer")  # several agencies, none chosen
    with UnitOfWork(desk.db) as uow:
        ticket = uow.tickets.get(ref)
        assert ticket is not None and ticket.owner == "kp2mi"
    web.post(f"/tickets/{ref}/act", action="transfer", to_agency="imigrasi")
    with UnitOfWork(desk.db) as uow:
        ticket = uow.tickets.get(ref)
        assert ticket is not None and ticket.owner == "imigrasi"
        assert set(uow.tickets.copies(ticket.id or 0)) == {"kp2mi", "ppa-ppo"}


def test_filters_and_reference_search(desk: Desk, web: Browser) -> None:
    first, second = report(desk, 5001, "other"), report(desk, 5002, "illegal_recruitment")
    web.login(add_officer(desk, 7002, "kp2mi", "Dewi"))
    assert refs_on(web.get("/queue?category=other")) == [first]
    assert refs_on(web.get(f"/queue?ref={second[-4:].lower()}")) == [second]
    assert refs_on(web.get("/queue?priority=urgent")) == []
    assert set(refs_on(web.get("/queue?country=MY&age=1d"))) == {first, second}
    assert refs_on(web.get("/queue?age=old")) == []


def test_the_rows_reload_by_themselves(desk: Desk, web: Browser) -> None:
    web.login(add_officer(desk, 7002, "kp2mi", "Dewi"))
    page = web.get("/queue")
    assert 'hx-get="/queue/rows' in page and 'hx-trigger="every' in page
    ref = report(desk, 5001, "other")  # arrives from Telegram meanwhile
    assert ref in web.get("/queue/rows")


def test_an_unchanged_reload_leaves_the_page_alone(desk: Desk, web: Browser) -> None:
    report(desk, 5001, "other")
    web.login(add_officer(desk, 7002, "kp2mi", "Dewi"))
    page = web.get("/queue")
    reload = re.search(r'hx-get="(/queue/rows\?[^"]+)"', page)
    assert reload
    url = reload.group(1).replace("&amp;", "&")
    assert web.client.get(url).status_code == 204
    report(desk, 5002, "other")
    assert web.client.get(url).status_code == 200
