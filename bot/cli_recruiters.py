"""Operator commands for the recruiter registry: import the CSV list, and search it as /cek does."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text
from sqlalchemy import Engine
from sqlmodel import Session

from bot.config import get_settings
from flows.ports import Recruiter
from storage.db import make_engine, migrate
from storage.recruiter_search import RegistryIndex
from storage.registry import COLUMNS, ImportSummary, RegistryFormatError, import_csv

recruiters_app = typer.Typer(
    help="The recruiter registry (licensed placement companies) behind /cek.",
    no_args_is_help=True,
)
# Registry data comes from outside: printed as Text, so brackets in it are never rich markup.
console = Console()
errors = Console(stderr=True)

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="Database to use; defaults to the DATABASE_URL setting.",
        show_default=False,
    ),
]


@contextmanager
def open_database(url: str | None) -> Iterator[Engine]:
    """An engine on an up-to-date schema, disposed of afterwards."""
    engine = make_engine(url or get_settings().database_url)
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()


@recruiters_app.command("import")
def import_command(
    file: Annotated[
        Path,
        typer.Argument(
            help=f"CSV file (UTF-8) whose first line is {','.join(COLUMNS)}",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    sample: Annotated[bool, typer.Option("--sample", help="Mark the rows as fictional demo data.")] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Import the registry CSV; known licence numbers are updated, not duplicated."""
    total = _count_rows(file)
    with open_database(database_url) as engine, Session(engine) as session:
        try:
            with (
                file.open(encoding="utf-8-sig", newline="") as stream,
                Progress(
                    TextColumn("Importing"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    console=console,
                    transient=True,
                ) as progress,
            ):
                task = progress.add_task("rows", total=total)
                summary = import_csv(
                    session,
                    stream,
                    now=datetime.now(UTC),
                    is_sample=sample,
                    progress=lambda done: progress.update(task, completed=done),
                )
        except RegistryFormatError as exc:
            errors.print(Text.assemble(("Not imported: ", "bold red"), str(exc)))
            raise typer.Exit(1) from exc
        session.commit()
    _print_summary(summary)


@recruiters_app.command("search")
def search_command(
    query: Annotated[str, typer.Argument(help="Company name or licence number.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Search the registry the way /cek does: found (same licence or same name), one letter away,
    similar."""
    with open_database(database_url) as engine, Session(engine) as session:
        index = RegistryIndex.load(session)
    answer = index.search(query)
    if answer.is_sample:
        console.print("[yellow]The registry holds fictional sample data.[/yellow]")
    updated = answer.updated_at.isoformat() if answer.updated_at else "unknown"
    console.print(f"Registry updated: {updated}", highlight=False)
    if not answer.candidates:
        console.print("No matching recruiter.")
        return
    if answer.found:
        title = "Found: same licence number" if answer.by_licence else "Found: same name"
        _print_companies(title, answer.found)
        return
    console.print("No company with exactly this name.")
    if answer.close:
        _print_companies("One letter away (did you mean?)", answer.close)
    if answer.similar:
        _print_companies("Similar names (other companies)", answer.similar)


def _print_companies(title: str, companies: tuple[Recruiter, ...]) -> None:
    table = Table(title=title)
    table.add_column("name")
    # A licence number cut short with an ellipsis would be worse than none.
    table.add_column("licence", overflow="fold")
    for column in ("status", "valid until", "city", "destinations"):
        table.add_column(column)
    for found in companies:
        table.add_row(
            Text(found.name),
            Text(found.license_number),
            found.status,
            found.valid_until.isoformat() if found.valid_until else "",
            Text(", ".join(part for part in (found.city, found.province) if part)),
            Text(", ".join(found.destinations)),
        )
    console.print(table)


def _count_rows(file: Path) -> int | None:
    """Rows in the file, for the progress bar; None when it cannot be read (the import says why)."""
    try:
        with file.open(encoding="utf-8-sig", newline="") as stream:
            rows = sum(1 for fields in csv.reader(stream) if any(f.strip() for f in fields))
            return max(rows - 1, 0)
    except (UnicodeDecodeError, csv.Error):
        return None


def _print_summary(summary: ImportSummary) -> None:
    table = Table("imported", "updated", "unchanged", "rejected", title="Registry import")
    table.add_row(
        str(summary.imported),
        str(summary.updated),
        str(summary.unchanged),
        str(len(summary.rejected)),
    )
    console.print(table)
    if summary.removed_samples:
        console.print(f"Removed {summary.removed_samples} fictional sample rows.")
    if summary.rejected:
        rejected = Table("line", "reason", title="Rejected rows")
        for item in summary.rejected:
            rejected.add_row(str(item.line), Text(item.reason))
        console.print(rejected)
