"""The ``helpline`` command line: chat in a terminal, run the bot, look at tickets, manage staff
and the recruiter registry, migrate the database, manage the data key and apply retention."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from bot import log_privacy
from bot.agencies import AgenciesFileError, load_agencies
from bot.cli_recruiters import recruiters_app
from bot.config import DATA_DIR, get_settings
from bot.i18n import renderer
from bot.notices import whole_ticket_lines
from bot.privacy import keyring, protect, purge, retention, startup_problem
from bot.service import Helpline
from bot.terminal import run_chat
from storage.crypto import new_key, rotate
from storage.db import make_engine, migrate
from storage.registry import import_csv, registry_status
from storage.uow import UnitOfWork

app = typer.Typer(
    help="PMI Helpline: a Telegram helpline for Indonesian migrant workers.", no_args_is_help=True
)
tickets_app = typer.Typer(help="Look at tickets.", no_args_is_help=True)
staff_app = typer.Typer(help="Agency staff who may act on tickets.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
keys_app = typer.Typer(help="The data key that encrypts reports (HELPLINE_DATA_KEY).", no_args_is_help=True)
app.add_typer(recruiters_app, name="recruiters")
app.add_typer(tickets_app, name="tickets")
app.add_typer(staff_app, name="staff")
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
console = Console()
AGENCY_HELP = "An agency code from data/agencies.json (kp2mi, ppa-ppo, imigrasi, ...)"


def agency_code(agency: str) -> str:
    """``agency`` when data/agencies.json (in HELPLINE_DATA_DIR) holds it; else a usage error
    that lists the codes it holds."""
    try:
        codes = load_agencies(get_settings().helpline_data_dir).codes
    except AgenciesFileError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if agency not in codes:
        raise typer.BadParameter(f"--agency must be one of: {', '.join(codes)} (not {agency!r})")
    return agency


def _engine() -> Engine:
    settings = get_settings()
    # The agencies' names for what a command prints (tickets show), checked before anything runs.
    try:
        load_agencies(settings.helpline_data_dir)
    except AgenciesFileError as exc:
        console.print(str(exc), style="red", markup=False, highlight=False)
        raise typer.Exit(2) from exc
    engine = protect(make_engine(settings.database_url), settings)
    migrate(engine)
    return engine


def open_engine() -> Engine:
    """The configured database, migrated and keyed: what every command works on (the console's
    commands in console/cli.py too)."""
    return _engine()


@app.command()
def chat(
    lang: Annotated[str | None, typer.Option("--lang", help="id or en")] = None,
    sample: Annotated[
        bool, typer.Option(help="Load the fictional sample registry if the registry is empty.")
    ] = False,
) -> None:
    """Talk to the bot in this terminal: same flows, database and languages."""
    if lang not in (None, "id", "en"):
        raise typer.BadParameter("--lang must be id or en")
    engine = _engine()
    if sample:
        load_sample(engine)
    with UnitOfWork(engine) as uow:
        status = registry_status(uow.session)
    if status.is_sample:
        console.print(
            "Recruiter registry: the fictional SAMPLE list is loaded (not official data).", style="yellow"
        )
    helpline = Helpline(engine, get_settings(), fmt="plain", use_outbox=False)
    run_chat(helpline, lang)


def load_sample(engine: Engine) -> None:
    """Import the shipped fictional registry once, so a demo has companies to find."""
    from datetime import UTC, datetime

    with UnitOfWork(engine) as uow:
        if registry_status(uow.session).companies:
            return
        with (DATA_DIR / "recruiters.sample.csv").open(encoding="utf-8") as handle:
            import_csv(uow.session, handle, now=datetime.now(UTC), is_sample=True)
        uow.commit()


@app.command()
def run(
    webhook: Annotated[
        bool, typer.Option("--webhook", help="Receive updates by webhook instead of long polling.")
    ] = False,
) -> None:
    """Run the Telegram bot (long polling by default)."""
    from bot.telegram_runtime import run_bot

    settings = get_settings()
    logging.basicConfig(
        level=settings.helpline_log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Before any library logs anything: no record, at any level, holds a report or the token.
    log_privacy.install([settings.telegram_bot_token, settings.telegram_webhook_secret])
    problem = startup_problem(settings)
    if problem is not None:
        console.print(problem, style="red", markup=False, highlight=False)
        raise typer.Exit(2)
    if not settings.telegram_bot_token:
        console.print("TELEGRAM_BOT_TOKEN is not set. Try the bot in a terminal: helpline chat", style="red")
        raise typer.Exit(2)
    run_bot(settings, webhook=webhook)


@tickets_app.command("list")
def tickets_list(
    status: Annotated[str | None, typer.Option(help="open, taken, waiting, resolved, closed")] = None,
) -> None:
    """List tickets, newest first."""
    from sqlmodel import col, select

    from storage.tables import TicketRow

    table = Table("ref", "priority", "category", "owner", "status", "created (UTC)")
    with UnitOfWork(_engine()) as uow:
        query = select(TicketRow).order_by(col(TicketRow.id).desc()).limit(200)
        if status:
            query = query.where(TicketRow.status == status)
        for t in uow.session.exec(query):
            table.add_row(
                t.ref, t.priority, t.category, t.owner, t.status, t.created_at.strftime("%Y-%m-%d %H:%M")
            )
    console.print(table)


@tickets_app.command("show")
def tickets_show(ref: str) -> None:
    """Show one ticket with its thread and audit trail."""
    from flows.reference import normalise_reference

    with UnitOfWork(_engine()) as uow:
        ticket = uow.tickets.get(normalise_reference(ref) or ref)
        if ticket is None or ticket.id is None:
            console.print(f"No ticket {ref}", style="red")
            raise typer.Exit(1)
        console.print(
            f"[bold]{ticket.ref}[/] {ticket.priority} {ticket.category} "
            f"owner={ticket.owner} copies={','.join(uow.tickets.copies(ticket.id))} "
            f"status={ticket.status}",
            highlight=False,
        )
        console.print(
            f"country={ticket.country} city={ticket.city} victim={ticket.victim} "
            f"minor={ticket.victim_minor} danger={ticket.danger_now} "
            f"contact={ticket.contact_method}",
            markup=False,
            highlight=False,
        )
        # Every fact and every message with its time, as /lihat shows them (flows.ticket_facts).
        render = renderer("en", "plain")
        for line in whole_ticket_lines(uow, ticket):
            console.print(render.text(line), markup=False, highlight=False)
        for a in uow.audit.for_ticket(ticket.id):
            console.print(
                f"  audit {a.at:%Y-%m-%d %H:%M} {a.actor} {a.action}", markup=False, highlight=False
            )


@staff_app.command("add")
def staff_add(
    agency: Annotated[str, typer.Option(help=AGENCY_HELP)],
    telegram_id: Annotated[int, typer.Option("--telegram-id", help="The officer's Telegram user id")],
    name: Annotated[str, typer.Option(help="Name shown to colleagues (never to reporters)")],
) -> None:
    """Register an officer for an agency."""
    from datetime import UTC, datetime

    agency = agency_code(agency)
    with UnitOfWork(_engine()) as uow:
        uow.staff.add(telegram_id, agency, name, datetime.now(UTC))
        uow.commit()
    console.print(f"Added {name} ({telegram_id}) to {agency}.", markup=False)


@staff_app.command("list")
def staff_list(agency: Annotated[str | None, typer.Option()] = None) -> None:
    """List active officers."""
    table = Table("agency", "telegram id", "name")
    with UnitOfWork(_engine()) as uow:
        for s in uow.staff.list(agency):
            table.add_row(s.agency, str(s.telegram_id), s.name)
    console.print(table)


@staff_app.command("remove")
def staff_remove(
    agency: Annotated[str, typer.Option()],
    telegram_id: Annotated[int, typer.Option("--telegram-id")],
) -> None:
    """Remove an officer from an agency."""
    with UnitOfWork(_engine()) as uow:
        removed = uow.staff.remove(telegram_id, agency)
        uow.commit()
    if not removed:
        console.print("No such officer.", style="red")
        raise typer.Exit(1)
    console.print("Removed.")


@db_app.command("migrate")
def db_migrate() -> None:
    """Apply database migrations (the bot also does this when it starts)."""
    _engine()
    console.print("Database is up to date.")


@keys_app.command("new")
def keys_new() -> None:
    """Print a new random data key. To rotate, put it first in HELPLINE_DATA_KEY (comma-separated,
    old keys after it) and run `helpline keys rotate`."""
    console.print(new_key(), markup=False, highlight=False)


@keys_app.command("rotate")
def keys_rotate(
    batch: Annotated[int, typer.Option(min=1, help="Rows per transaction.")] = 500,
) -> None:
    """Re-encrypt every encrypted field with the first key of HELPLINE_DATA_KEY (also encrypts
    rows written before a key was set). Afterwards the old keys may be removed."""
    settings = get_settings()
    ring = keyring(settings)
    if ring is None:
        console.print("HELPLINE_DATA_KEY is not set. Make a key with: helpline keys new", style="red")
        raise typer.Exit(2)
    result = rotate(_engine(), ring, batch=batch)
    console.print(f"Re-encrypted {result.values} values in {result.rows} rows.")


@app.command("purge")
def purge_command(
    closed_older_than: Annotated[
        str | None, typer.Option("--closed-older-than", help="e.g. 365d (default: HELPLINE_RETENTION)")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only show what would be anonymised.")] = False,
) -> None:
    """Retention: anonymise closed tickets closed longer ago than the retention period."""
    from datetime import UTC, datetime

    try:
        period = retention(get_settings(), closed_older_than)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    result = purge(_engine(), period, datetime.now(UTC), dry_run=dry_run)
    verb = "Would anonymise" if dry_run else "Anonymised"
    console.print(
        f"{verb} {len(result.refs)} closed ticket(s) closed before {result.cutoff:%Y-%m-%d %H:%M} UTC.",
        highlight=False,
    )
    for ref in result.refs:
        console.print(f"  {ref}", highlight=False)
