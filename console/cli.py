"""The whole ``helpline`` command line: the bot's commands (bot/cli.py) and the console's,
``helpline console`` (serve the staff web console) and ``helpline staff passwd`` (an officer's
console account). The console sits above the bot, so the command line is put together here and
the ``helpline`` script points at this module. What only the console's commands need is imported
inside them, so that ``helpline run`` starts no slower for it."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer

from bot.cli import AGENCY_HELP, agency_code, app, open_engine, staff_app
from bot.cli import console as out
from bot.config import Settings, get_settings
from bot.privacy import startup_problem
from storage.uow import UnitOfWork

ROLES = ("officer", "supervisor", "admin")  # storage.desk_tables.ROLES, checked by a test

__all__ = ["app", "console_problem"]

NO_CONSOLE_KEY_IN_PRODUCTION = (
    "HELPLINE_ENV=production needs HELPLINE_CONSOLE_SECRET (a long random value, e.g. from: "
    "python -c 'import secrets; print(secrets.token_urlsafe(32))'): it keys the console's "
    "sessions and its duplicate index."
)


def console_problem(settings: Settings) -> str | None:
    """Why the console must not start with these settings, or None."""
    problem = startup_problem(settings)
    if problem is not None:
        return problem
    if settings.helpline_env == "production" and not settings.helpline_console_secret:
        return NO_CONSOLE_KEY_IN_PRODUCTION
    if settings.helpline_env == "production" and not settings.helpline_console_cookie_secure:
        return "HELPLINE_ENV=production needs HELPLINE_CONSOLE_COOKIE_SECURE=true (HTTPS only)."
    return None


@app.command("console")
def console_command() -> None:
    """Run the staff web console (HELPLINE_CONSOLE_LISTEN, HELPLINE_CONSOLE_PORT)."""
    import uvicorn

    from console.app import create_app
    from console.web import Desk

    settings = get_settings()
    logging.basicConfig(
        level=settings.helpline_log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    problem = console_problem(settings)
    if problem is not None:
        out.print(problem, style="red", markup=False, highlight=False)
        raise typer.Exit(2)
    desk = Desk(settings, open_engine())
    # No access log: request lines are noise here, and the audit trail records every view.
    uvicorn.run(
        create_app(desk),
        host=settings.helpline_console_listen,
        port=settings.helpline_console_port,
        log_level="warning",
        access_log=False,
    )


@staff_app.command("passwd")
def staff_passwd(
    agency: Annotated[str, typer.Option(help=AGENCY_HELP)],
    telegram_id: Annotated[int, typer.Option("--telegram-id", help="The officer's Telegram user id")],
    username: Annotated[
        str | None, typer.Option(help="Login name (default: keep, or the Telegram id for a new account)")
    ] = None,
    role: Annotated[str, typer.Option(help="officer, supervisor or admin")] = "officer",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input instead of asking")
    ] = False,
    reset_2fa: Annotated[
        bool, typer.Option("--reset-2fa", help="Enrol a new authenticator at the next login (a lost phone)")
    ] = False,
) -> None:
    """Set the console password (and role) of a registered officer. The second factor is set up
    at their first login, from a QR code. Every session of the account ends."""
    # Imported here: every helpline command (helpline run too) starts through this module.
    from console.auth import Passwords, password_problem
    from storage.desk import DeskRepository

    agency = agency_code(agency)
    if role not in ROLES:
        raise typer.BadParameter("--role must be officer, supervisor or admin")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password)
    if problem is not None:
        out.print(f"Refused: {problem}.", style="red")
        raise typer.Exit(1)
    hashed = Passwords().hash(password)
    with UnitOfWork(open_engine()) as uow:
        staff = next((s for s in uow.staff.memberships(telegram_id) if s.agency == agency), None)
        if staff is None or staff.id is None:
            out.print("No such officer: register them first with helpline staff add.", style="red")
            raise typer.Exit(1)
        desk = DeskRepository(uow.session)
        existing = desk.account_for_staff(staff.id)
        name = (username or (existing.username if existing else str(telegram_id))).strip().lower()
        taken = desk.account_by_username(name)
        if not name or len(name) > 60 or (taken is not None and taken.staff_id != staff.id):
            out.print("That username is empty, too long or already used.", style="red")
            raise typer.Exit(1)
        account = desk.set_password(staff, name, hashed, role, datetime.now(UTC))
        if reset_2fa:
            desk.reset_second_factor(account)
        uow.commit()
    out.print(f"Console account {name} ({role}, {agency}) is ready.", markup=False, highlight=False)
