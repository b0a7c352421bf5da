"""The console in a real browser (Playwright driving Debian's Chromium) against the real
``helpline console`` and ``helpline run`` processes on one SQLite file, with the fake Bot API:
a worker reports on Telegram; a KP2MI officer logs in with password and TOTP, takes the ticket
(its Telegram card changes), writes a private note, answers (the worker's chat gets "Petugas
KP2MI: ..."), sees the worker's answer arrive, looks at the dashboard and logs out; an officer of
Polri PPA-PPO is refused the same ticket.

Chromium cannot be downloaded here: ``/usr/bin/chromium`` is launched (``.ci/run`` installs it);
without it the test fails, it is never skipped. ``HELPLINE_SCREENSHOTS=docs`` also writes the
README's screenshots."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from argon2 import PasswordHasher
from playwright.sync_api import Browser, BrowserType, Page, Playwright, expect, sync_playwright

from bot.i18n import renderer
from flows.events import NewTicket
from flows.text import M
from storage.db import make_engine
from storage.desk import DeskRepository
from storage.uow import UnitOfWork
from tests.e2e.conftest import HELPLINE, KP2MI_CHAT, KP2MI_OFFICER, PPA_OFFICER, ROOT, BotProcess, Person, cli
from tests.fakebotapi.server import FakeBotApi
from tests.support.ports import free_port

CHROMIUM = "/usr/bin/chromium"
WORKER = 5301
PASSWORD = "browser test passphrase"
REF = re.compile(r"PMI-[0-9A-Z]{4}-[0-9A-Z]{4}")
ID = renderer("id", "plain")


def tr(msgid: str) -> str:
    return ID.text(M(msgid))


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """pytest-playwright's launch arguments: Debian's Chromium, headless, nothing phoned home."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)")
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def playwright() -> Iterator[Playwright]:
    """Started for this test alone, unlike pytest-playwright's session-wide one: while it runs,
    Playwright's sync API keeps an event loop running in this thread, and every asyncio test
    after it in the session would fail ("cannot be called from a running event loop")."""
    started = sync_playwright().start()
    yield started
    started.stop()


@pytest.fixture
def browser_context_args() -> dict[str, Any]:
    """(pytest-playwright's asks for its session-wide ``playwright``, replaced above.)"""
    return {"viewport": {"width": 1280, "height": 860}}


@pytest.fixture
def browser_type(playwright: Playwright, browser_name: str) -> BrowserType:
    return getattr(playwright, browser_name)  # type: ignore[no-any-return]


@pytest.fixture
def launch_browser(
    browser_type_launch_args: dict[str, Any], browser_type: BrowserType
) -> Callable[..., Browser]:
    def launch(**extra: Any) -> Browser:
        return browser_type.launch(**{**browser_type_launch_args, **extra})

    return launch


@pytest.fixture
def browser(launch_browser: Callable[..., Browser]) -> Iterator[Browser]:
    launched = launch_browser()
    yield launched
    launched.close()


@pytest.fixture
def console(env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """``helpline console`` on a free port of 127.0.0.1; its base URL."""
    port = free_port()
    console_env = {
        **env,
        "HELPLINE_CONSOLE_PORT": str(port),
        "HELPLINE_CONSOLE_SECRET": "b" * 40,
        "HELPLINE_CONSOLE_COOKIE_SECURE": "false",
    }
    # Accounts written directly (helpline staff passwd is tested in tests/console/test_cli.py):
    # two more commands would cost seconds of start-up each.
    engine = make_engine(env["DATABASE_URL"])
    with UnitOfWork(engine) as uow:
        for telegram_id, agency, role in (
            (KP2MI_OFFICER, "kp2mi", "supervisor"),
            (PPA_OFFICER, "ppa-ppo", "officer"),
        ):
            staff = next(s for s in uow.staff.memberships(telegram_id) if s.agency == agency)
            DeskRepository(uow.session).set_password(
                staff, agency, PasswordHasher().hash(PASSWORD), role, datetime.now(UTC)
            )
        uow.commit()
    engine.dispose()
    log = (tmp_path / "console.log").open("wb")
    process = subprocess.Popen(
        [HELPLINE, "console"], env=console_env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/login", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError((tmp_path / "console.log").read_text()) from None
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(10)
    log.close()


def report_something(worker: Person) -> str:
    """Onboarding in Indonesian and a report of category "something else" (KP2MI alone)."""
    worker.say("/start")
    worker.tap("Bahasa Indonesia")
    worker.tap(tr("I agree"))
    worker.tap(tr("I work abroad"))
    worker.expect("")
    worker.say("/lapor")
    worker.tap(tr("Something else"))
    worker.tap(tr("No"))
    worker.tap(tr("Me"))
    worker.tap(tr("Malaysia"))
    worker.expect("")
    worker.say("Johor Bahru")
    worker.expect("")
    worker.say("Majikan tidak membayar gaji tiga bulan dan menyimpan paspor saya.")
    worker.tap(tr("Skip"))
    worker.tap(tr("Only through this chat"))
    worker.tap(tr("Send report"))
    found = REF.search(worker.expect("PMI-")["text"])
    assert found
    return found.group(0)


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    secret = page.locator("#totp-secret").inner_text()  # the first login enrols the authenticator
    assert page.locator(".qr svg").count() == 1
    page.fill('input[name="code"]', pyotp.TOTP(secret).now())
    page.click('button[type="submit"]')
    expect(page).to_have_url(f"{base}/queue")


def seed_history(db: str) -> None:
    """A few months of fictional tickets, so that the dashboard screenshot has something to show."""
    engine = make_engine(db)
    now = datetime.now(UTC)
    categories = ("illegal_recruitment", "assist.wages", "other", "fake_documents", "assist.go_home")
    countries = ("MY", "TW", "HK", "SA", "SG")
    with UnitOfWork(engine) as uow:
        for i in range(60):
            created = now - timedelta(days=3 + (i * 37) % 400, hours=i % 7)
            ref = f"PMI-DEMO-{i:04d}"
            ticket = NewTicket(
                ref=ref,
                kind="report",
                category=categories[i % 5],
                priority="normal",
                owner="kp2mi",
                copied=(),
                lang="id",
                created_at=created,
                idempotency_key=ref,
                description="(contoh)",
                country=countries[i % 4 + (i % 3 == 0)],
            )
            row, _ = uow.tickets.open(ticket, None, created + timedelta(hours=48))
            # Answered, so that the scheduler has no escalation to send for them.
            uow.tickets.add_message(row, "kp2mi", "(contoh)", created + timedelta(hours=3 + i % 70))
            if i % 2:
                uow.tickets.close(ref, created + timedelta(days=2 + i % 9))
        uow.commit()
    engine.dispose()


@pytest.mark.parametrize("library", ["python-telegram-bot"])  # the console is the same with either
def test_an_officer_works_a_ticket_in_the_browser(
    api: FakeBotApi,
    bot: BotProcess,
    env: dict[str, str],
    console: str,
    page: Page,
    browser: Browser,
    tmp_path: Path,
) -> None:
    shots = Path(os.environ["HELPLINE_SCREENSHOTS"]) if os.environ.get("HELPLINE_SCREENSHOTS") else None
    if shots:
        seed_history(env["DATABASE_URL"])
    worker = Person(api, WORKER)
    ref = report_something(worker)
    group = Person(api, 0, KP2MI_CHAT)
    group.expect(ref)

    log_in(page, console, "kp2mi")
    row = page.locator("tr", has=page.locator(f'a[href="/tickets/{ref}"]'))
    expect(row).to_be_visible()
    if shots:
        page.screenshot(path=str(tmp_path / "queue.png"))
    row.locator(f'button[value="take:{ref}"]').click()
    expect(page.locator("#view-mine .count")).to_have_text("1")
    api.wait_for(
        lambda: any(
            ref in str(m.get("text")) and "Dewi KP2MI" in str(m.get("text")) for m in api.messages(KP2MI_CHAT)
        ),
        15,
        description="the card edited",
    )

    page.click(f'a[href="/tickets/{ref}"]')
    page.fill("#note-body", "Majikan sudah dikenal kantor Johor.")
    page.click("#save-note")
    expect(page.locator("#thread")).to_contain_text("Majikan sudah dikenal kantor Johor.")
    page.fill("#reply-body", "Kami sedang menghubungi majikan Anda. Di mana Anda sekarang?")
    page.click("#send-reply")
    answer = worker.expect("Petugas KP2MI: Kami sedang menghubungi majikan Anda.", timeout=15)
    assert "Dewi" not in answer["text"] and "Majikan sudah dikenal" not in str(api.messages(WORKER))
    worker.say("Saya di penampungan di Johor Bahru.", reply_to=answer["message_id"])
    expect(page.locator("#thread")).to_contain_text("Saya di penampungan di Johor Bahru.", timeout=20_000)
    if shots:
        page.screenshot(path=str(tmp_path / "ticket.png"), full_page=True)
        page.goto(f"{console}/dashboard")
        expect(page.locator("svg.chart").first).to_be_visible()
        page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
        for name in ("queue", "ticket", "dashboard"):
            shutil.copyfile(tmp_path / f"{name}.png", shots / f"console-{name}.png")
    page.click("#logout")
    expect(page).to_have_url(f"{console}/login")
    page.goto(f"{console}/tickets/{ref}")
    expect(page).to_have_url(f"{console}/login")

    other = browser.new_context()
    try:
        police = other.new_page()
        log_in(police, console, "ppa-ppo")
        expect(police.locator(f'a[href="/tickets/{ref}"]')).to_have_count(0)
        refused = police.goto(f"{console}/tickets/{ref}")
        assert refused is not None and refused.status == 404
        expect(police.locator("main")).to_contain_text(
            tr("This ticket does not exist, or your agency may not see it.")
        )
    finally:
        other.close()
    audit = cli(env, "tickets", "show", ref)
    assert "refused" in audit and "viewed" in audit and "take" in audit
