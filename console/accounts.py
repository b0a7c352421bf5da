"""Console accounts of the admin's agency: who has one, their role, whether their authenticator
is enrolled and whether they are locked out; an admin can unlock an account or reset its second
factor (a lost phone). Passwords are set on the command line (``helpline staff passwd``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from bot.i18n import renderer
from console import access
from console.web import Desk, Officer
from flows.text import M
from storage.desk import DeskRepository
from storage.tables import StaffRow
from storage.uow import UnitOfWork


def router(desk: Desk) -> APIRouter:
    r = APIRouter()

    @r.get("/accounts")
    def accounts(request: Request, officer: Officer = Depends(desk.officer)) -> Response:
        if not access.manages_accounts(officer.role):
            return desk.page(request, "forbidden.html", officer.lang, status_code=403, officer=officer)
        with UnitOfWork(desk.db) as uow:
            rows = DeskRepository(uow.session).accounts(officer.agency)
        return desk.page(request, "accounts.html", officer.lang, officer=officer, rows=rows)

    @r.post("/accounts/{account_id}")
    def change(
        request: Request, account_id: int, what: str = Form(""), officer: Officer = Depends(desk.posting)
    ) -> Response:
        if not access.manages_accounts(officer.role):
            return desk.page(request, "forbidden.html", officer.lang, status_code=403, officer=officer)
        now = desk.clock()
        with UnitOfWork(desk.db) as uow:
            repo = DeskRepository(uow.session)
            account = repo.account(account_id)
            staff = uow.session.get(StaffRow, account.staff_id) if account else None
            if account is None or staff is None or staff.agency != officer.agency:
                return desk.page(request, "forbidden.html", officer.lang, status_code=403, officer=officer)
            if what == "unlock":
                repo.unlock(account)
            elif what == "reset_2fa":
                repo.reset_second_factor(account)
            else:
                return desk.redirect(request, "/accounts")
            uow.audit.record(
                None,
                f"staff:{officer.staff_id}",
                f"account_{what}"[:40],
                {"account": account_id, "via": "console"},
                now,
            )
            uow.commit()
        desk.flash(officer, renderer(officer.lang, "plain").text(M("Account changed.")))
        return desk.redirect(request, "/accounts")

    return r
