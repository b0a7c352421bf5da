"""Accounts and access: password + TOTP, enrolment from a server-drawn QR code, lockout, CSRF,
sessions that end when idle, at logout and when the password changes."""

from __future__ import annotations

from datetime import timedelta

import pyotp
from fastapi.testclient import TestClient

from console.app import create_app
from console.web import Desk
from storage.desk import DeskRepository
from storage.uow import UnitOfWork
from tests.console.conftest import PASSWORD, Browser, add_officer, code_for, csrf_of, totp_secret
from tests.support.service import Clock

WRONG = "Nama pengguna, kata sandi, atau kode tidak benar"


def test_a_first_login_enrols_the_authenticator_from_a_qr_code(desk: Desk, clock: Clock) -> None:
    name = add_officer(desk, 7002, "kp2mi", "Dewi", enrolled=False)
    client = TestClient(create_app(desk))
    page = client.get("/login")
    answer = client.post("/login", data={"username": name, "password": PASSWORD, "csrf": csrf_of(page.text)})
    assert answer.status_code == 200 and "<svg" in answer.text and 'id="totp-secret"' in answer.text
    secret = totp_secret(desk, name)
    assert secret in answer.text  # typed in by hand if the camera cannot read the code
    assert client.get("/queue").status_code == 200 and "/login" in str(client.get("/queue").url)
    code = pyotp.TOTP(secret).at(clock.now)
    done = client.post("/login/code", data={"code": code, "csrf": csrf_of(answer.text)})
    assert done.status_code == 200 and str(done.url).endswith("/queue") and "Dewi" in done.text
    with UnitOfWork(desk.db) as uow:
        account = DeskRepository(uow.session).account_by_username(name)
        assert account is not None and account.totp_confirmed_at is not None


def test_the_password_alone_opens_nothing(desk: Desk, clock: Clock) -> None:
    name = add_officer(desk, 7002, "kp2mi", "Dewi")
    client = TestClient(create_app(desk))
    page = client.get("/login")
    client.post("/login", data={"username": name, "password": PASSWORD, "csrf": csrf_of(page.text)})
    for url in ("/queue", "/dashboard", "/tickets/PMI-AAAA-AAAA"):
        answer = client.get(url)
        assert str(answer.url).endswith("/login"), url


def test_wrong_password_unknown_user_and_wrong_code_get_one_answer(desk: Desk, clock: Clock) -> None:
    name = add_officer(desk, 7002, "kp2mi", "Dewi")
    client = TestClient(create_app(desk))
    csrf = csrf_of(client.get("/login").text)
    for username, password in ((name, "not the password"), ("nobody", PASSWORD)):
        answer = client.post("/login", data={"username": username, "password": password, "csrf": csrf})
        assert answer.status_code == 401 and WRONG in answer.text
    answer = client.post("/login", data={"username": name, "password": PASSWORD, "csrf": csrf})
    answer = client.post("/login/code", data={"code": "000000", "csrf": csrf_of(answer.text)})
    assert answer.status_code == 401 and WRONG in answer.text


def test_five_failures_lock_the_account_even_for_the_right_password(desk: Desk, clock: Clock) -> None:
    name = add_officer(desk, 7002, "kp2mi", "Dewi")
    client = TestClient(create_app(desk))
    csrf = csrf_of(client.get("/login").text)
    for _ in range(5):
        client.post("/login", data={"username": name, "password": "wrong password", "csrf": csrf})
    answer = client.post("/login", data={"username": name, "password": PASSWORD, "csrf": csrf})
    assert answer.status_code == 401 and WRONG in answer.text
    clock.now += timedelta(minutes=16)  # HELPLINE_CONSOLE_LOCKOUT_FOR (15m) later
    Browser(desk, clock).login(name)


def test_a_used_code_cannot_log_in_again(desk: Desk, clock: Clock) -> None:
    name = add_officer(desk, 7002, "kp2mi", "Dewi")
    code = code_for(desk, clock, name)
    for expected in (200, 401):
        client = TestClient(create_app(desk))
        answer = client.post(
            "/login",
            data={"username": name, "password": PASSWORD, "csrf": csrf_of(client.get("/login").text)},
        )
        answer = client.post("/login/code", data={"code": code, "csrf": csrf_of(answer.text)})
        assert answer.status_code == expected


def test_every_form_needs_the_sessions_csrf_token(desk: Desk, clock: Clock, web: Browser) -> None:
    name = add_officer(desk, 7002, "kp2mi", "Dewi")
    web.login(name)
    for url in ("/logout", "/queue/act", "/language", "/tickets/PMI-AAAA-AAAA/note"):
        for data in ({}, {"csrf": "forged"}):
            assert web.client.post(url, data=data).status_code == 403, (url, data)
    login = TestClient(create_app(desk))
    login.get("/login")
    assert (
        login.post("/login", data={"username": name, "password": PASSWORD, "csrf": "forged"}).status_code
        == 403
    )
    assert web.get("/queue")  # still logged in: the forged posts did nothing


def test_the_session_token_changes_after_the_second_factor(desk: Desk, clock: Clock) -> None:
    name = add_officer(desk, 7002, "kp2mi", "Dewi")
    client = TestClient(create_app(desk))
    answer = client.post(
        "/login", data={"username": name, "password": PASSWORD, "csrf": csrf_of(client.get("/login").text)}
    )
    half = client.cookies.get(desk.cookie)
    client.post("/login/code", data={"code": code_for(desk, clock, name), "csrf": csrf_of(answer.text)})
    assert client.cookies.get(desk.cookie) not in (None, half)


def test_an_idle_session_ends(desk: Desk, clock: Clock, web: Browser) -> None:
    web.login(add_officer(desk, 7002, "kp2mi", "Dewi"))
    clock.now += timedelta(minutes=29)
    assert "/queue" in str(web.client.get("/queue").url)
    clock.now += timedelta(minutes=31)
    assert str(web.client.get("/queue").url).endswith("/login")


def test_logout_and_a_new_password_end_the_session(desk: Desk, clock: Clock, web: Browser) -> None:
    name = add_officer(desk, 7002, "kp2mi", "Dewi")
    web.login(name)
    web.post("/logout")
    assert str(web.client.get("/queue").url).endswith("/login")
    web.login(name)
    with UnitOfWork(desk.db) as uow:
        staff = uow.staff.memberships(7002)[0]
        DeskRepository(uow.session).set_password(
            staff, name, desk.passwords.hash("another long one"), "officer", clock()
        )
        uow.commit()
    assert str(web.client.get("/queue").url).endswith("/login")


def test_a_removed_officer_is_logged_out(desk: Desk, clock: Clock, web: Browser) -> None:
    web.login(add_officer(desk, 7002, "kp2mi", "Dewi"))
    with UnitOfWork(desk.db) as uow:
        uow.staff.remove(7002, "kp2mi")
        uow.commit()
    assert str(web.client.get("/queue").url).endswith("/login")


def test_pages_carry_a_strict_content_security_policy(desk: Desk, web: Browser) -> None:
    web.login(add_officer(desk, 7002, "kp2mi", "Dewi"))
    answer = web.client.get("/queue")
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert answer.headers["cache-control"] == "no-store" and answer.headers["x-frame-options"] == "DENY"
    cookie = answer.request.headers.get("cookie", "")
    assert desk.cookie in cookie


def test_the_interface_speaks_indonesian_and_english(desk: Desk, web: Browser) -> None:
    web.login(add_officer(desk, 7002, "kp2mi", "Dewi"))
    assert "Keluar" in web.get("/queue")  # Indonesian first
    page = web.post("/language", lang="en", back="/queue")
    assert "Log out" in page and "Keluar" not in page
