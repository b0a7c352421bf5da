"""The login pages: password, then the TOTP code (or, the first time, enrolling an authenticator
app from a QR code drawn here), logout and the interface language.

The login form has no session yet, so its CSRF token is a random cookie repeated in the form
(double submit); after the password every form carries the session's own token."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from bot.i18n import LANGUAGES
from console import auth
from console.web import Desk, Officer
from storage.desk import DeskRepository
from storage.tables import StaffRow
from storage.uow import UnitOfWork

FAILED = "failed"


def router(desk: Desk) -> APIRouter:
    r = APIRouter()

    def set_session(response: Response, token: str) -> None:
        response.set_cookie(
            desk.cookie, token, httponly=True, secure=desk.secure, samesite="strict", path="/"
        )

    def login_page(request: Request, error: bool = False, status_code: int = 200) -> Response:
        token = request.cookies.get(desk.login_cookie) or secrets.token_urlsafe(24)
        lang = request.query_params.get("lang") or desk.settings.helpline_default_lang
        response = desk.page(
            request,
            "login.html",
            lang if lang in LANGUAGES else "id",
            status_code=status_code,
            csrf=token,
            error=error,
        )
        response.set_cookie(
            desk.login_cookie, token, httponly=True, secure=desk.secure, samesite="strict", path="/"
        )
        return response

    @r.get("/login")
    def login_form(request: Request) -> Response:
        if desk.session_of(request, stage="full") is not None:
            return desk.redirect(request, "/")
        return login_page(request)

    @r.post("/login")
    def login_post(
        request: Request, username: str = Form(""), password: str = Form(""), csrf: str = Form("")
    ) -> Response:
        if not auth.same(csrf, request.cookies.get(desk.login_cookie)):
            return login_page(request, error=True, status_code=403)
        now = desk.clock()
        with UnitOfWork(desk.db) as uow:
            repo = DeskRepository(uow.session)
            account = repo.account_by_username(username[:60])
            staff = uow.session.get(StaffRow, account.staff_id) if account else None
            # The hash is computed whether or not the account exists or is locked: the answer
            # takes as long either way.
            good = desk.passwords.verify(account.password_hash if account else None, password)
            if (
                account is None
                or account.id is None
                or staff is None
                or not staff.active
                or auth.locked(account, now)
                or not good
            ):
                if account is not None and not auth.locked(account, now):
                    desk.lockout.fail(repo, account, now)
                uow.commit()
                return login_page(request, error=True, status_code=401)
            repo.record_success(account)
            token = auth.new_token()
            repo.create_session(desk.hash(token), account.id, "password", secrets.token_urlsafe(24), now)
            uow.commit()
        response = desk.redirect(request, "/login/code")
        set_session(response, token)
        return response

    def half(request: Request) -> tuple[str, int] | None:
        """(session id, account id) of the half session between password and code."""
        token = request.cookies.get(desk.cookie)
        if not token:
            return None
        now = desk.clock()
        with UnitOfWork(desk.db) as uow:
            row = DeskRepository(uow.session).session_row(desk.hash(token))
            if row is None or row.stage != "password" or now - row.created_at > desk.idle:
                return None
            return row.id, row.account_id

    @r.get("/login/code")
    def code_form(request: Request) -> Response:
        found = half(request)
        if found is None:
            return desk.redirect(request, "/login")
        return code_page(request, found, error=False)

    def code_page(request: Request, found: tuple[str, int], error: bool, status_code: int = 200) -> Response:
        session_id, account_id = found
        with UnitOfWork(desk.db) as uow:
            repo = DeskRepository(uow.session)
            account, row = repo.account(account_id), repo.session_row(session_id)
            assert account is not None and row is not None
            enrol = account.totp_confirmed_at is None
            qr = secret = None
            if enrol:
                if not account.totp_secret:
                    repo.start_enrolment(account, auth.new_totp_secret())
                    uow.commit()
                assert account.totp_secret is not None
                secret = account.totp_secret
                qr = auth.qr_svg(auth.provisioning_uri(secret, account.username))
            lang = account.lang
            csrf = row.csrf
        return desk.page(
            request,
            "code.html",
            lang,
            status_code=status_code,
            csrf=csrf,
            enrol=enrol,
            qr=qr,
            secret=secret,
            error=error,
        )

    @r.post("/login/code")
    def code_post(request: Request, code: str = Form(""), csrf: str = Form("")) -> Response:
        found = half(request)
        if found is None:
            return desk.redirect(request, "/login")
        session_id, account_id = found
        now = desk.clock()
        with UnitOfWork(desk.db) as uow:
            repo = DeskRepository(uow.session)
            account, row = repo.account(account_id), repo.session_row(session_id)
            if account is None or row is None or not auth.same(csrf, row.csrf):
                return desk.redirect(request, "/login")
            step = auth.code_step(account.totp_secret or "", code, now) if account.totp_secret else None
            if auth.locked(account, now) or step is None or not repo.use_code_step(account, step, now):
                if not auth.locked(account, now):
                    desk.lockout.fail(repo, account, now)
                uow.commit()
                if auth.locked(account, now) or repo.session_row(session_id) is None:
                    return login_page(request, error=True, status_code=401)
                return code_page(request, found, error=True, status_code=401)
            assert account.id is not None
            repo.record_success(account)
            # A new token for the full session: a token seen before the second factor is worth
            # nothing after it.
            repo.end_session(session_id)
            token = auth.new_token()
            repo.create_session(desk.hash(token), account.id, "full", secrets.token_urlsafe(24), now)
            uow.commit()
        response = desk.redirect(request, "/")
        set_session(response, token)
        return response

    @r.post("/logout")
    def logout(request: Request, officer: Officer = Depends(desk.posting)) -> Response:
        with UnitOfWork(desk.db) as uow:
            DeskRepository(uow.session).end_session(officer.session_id)
            uow.commit()
        response = desk.redirect(request, "/login")
        response.delete_cookie(desk.cookie, path="/", secure=desk.secure, httponly=True, samesite="strict")
        return response

    @r.post("/language")
    def language(
        request: Request,
        lang: str = Form("id"),
        back: str = Form("/"),
        officer: Officer = Depends(desk.posting),
    ) -> Response:
        if lang in LANGUAGES:
            with UnitOfWork(desk.db) as uow:
                account = DeskRepository(uow.session).account(officer.account_id)
                if account is not None:
                    account.lang = lang
                    uow.session.add(account)
                    uow.commit()
        # Only a path of this site: never an open redirect.
        target = back if back.startswith("/") and not back.startswith("//") else "/"
        return desk.redirect(request, target)

    return r
