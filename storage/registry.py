"""Import of the recruiter registry from the official CSV list (SPEC section 5), and its status.

The whole file is read and checked before anything is written, so a file that turns out to be
unreadable halfway leaves the registry as it was. Rows that break a rule are left out and reported
with their line and reason; the rest is imported, updating companies already known by licence
number.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple, TextIO

from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from storage.recruiter_search import normalise_name
from storage.recruiter_table import RecruiterRow

COLUMNS = (
    "name",
    "license_number",
    "status",
    "valid_until",
    "province",
    "city",
    "address",
    "phone",
    "destinations",
    "source",
    "updated_at",
)
# The official list is in Indonesian; the registry keeps the English ids the bot translates.
STATUSES = {
    "active": "active",
    "suspended": "suspended",
    "revoked": "revoked",
    "expired": "expired",
    "aktif": "active",
    "dibekukan": "suspended",
    "dicabut": "revoked",
    "kedaluwarsa": "expired",
}
# Longer values would be cut or refused by the database (PostgreSQL enforces VARCHAR lengths).
MAX_LENGTH = {
    "name": 300,
    "license_number": 100,
    "province": 100,
    "city": 100,
    "address": 500,
    "phone": 100,
    "destinations": 500,
    "source": 500,
}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PROGRESS_EVERY = 100


class RegistryFormatError(ValueError):
    """The file as a whole cannot be read as the registry CSV; nothing was imported."""


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str


@dataclass
class ImportSummary:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    # Fictional sample rows dropped because a real list arrived (see ``import_csv``).
    removed_samples: int = 0


class RegistryStatus(NamedTuple):
    companies: int
    updated_at: date | None
    is_sample: bool


@dataclass(frozen=True)
class _Record:
    """One valid CSV row, already in the shape of the table."""

    line: int
    name: str
    license_number: str
    status: str
    valid_until: date | None
    province: str
    city: str
    address: str
    phone: str
    destinations: str
    source: str
    updated_at: date | None

    def values(self) -> dict[str, Any]:
        return {column: getattr(self, column) for column in COLUMNS}


class _Invalid(ValueError):
    """A row breaks a rule; the message is the reason shown to the operator."""


def import_csv(
    session: Session,
    stream: TextIO,
    *,
    now: datetime,
    is_sample: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import the registry CSV in ``stream`` into ``session``; the caller commits.

    ``progress`` is called with the number of rows read so far. Raises ``RegistryFormatError`` when
    the header or the encoding is wrong; then nothing is written.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    summary = ImportSummary()
    records: dict[str, _Record] = {}
    for record in _read(stream, summary, progress):
        earlier = records.pop(record.license_number, None)
        if earlier is not None:
            summary.rejected.append(
                Rejected(
                    earlier.line,
                    f"licence {record.license_number} appears again on line {record.line}; "
                    "the later row is used",
                )
            )
        records[record.license_number] = record
    summary.rejected.sort(key=lambda rejected: rejected.line)

    existing = {row.license_number: row for row in session.exec(select(RecruiterRow))}
    for licence, record in records.items():
        values = record.values() | {"name_normalised": normalise_name(record.name)}
        values["is_sample"] = is_sample
        row = existing.get(licence)
        if row is None:
            session.add(RecruiterRow(**values, imported_at=now))
            summary.imported += 1
        elif all(getattr(row, column) == value for column, value in values.items()):
            summary.unchanged += 1
        else:
            for column, value in values.items():
                setattr(row, column, value)
            row.imported_at = now
            summary.updated += 1
    session.flush()
    if records and not is_sample:
        # A real list replaces the demo data: fictional companies must not linger next to real
        # ones, nor keep the "this is only a sample" notice on a real registry. Sample licences
        # that the real list names were updated above and are no longer samples.
        removed = session.exec(delete(RecruiterRow).where(col(RecruiterRow.is_sample)))
        summary.removed_samples = removed.rowcount
    return summary


def registry_status(session: Session) -> RegistryStatus:
    """How many companies the registry holds, its latest update, and whether any is a sample."""
    count, updated_at, samples = session.exec(
        select(
            func.count(col(RecruiterRow.id)),
            func.max(RecruiterRow.updated_at),
            func.count(col(RecruiterRow.id)).filter(col(RecruiterRow.is_sample)),
        )
    ).one()
    return RegistryStatus(count, updated_at, samples > 0)


def _read(
    stream: TextIO, summary: ImportSummary, progress: Callable[[int], None] | None
) -> Iterator[_Record]:
    reader = csv.reader(stream)
    rows = 0
    try:
        header = _header(next(reader, None))
        previous_end = reader.line_num
        for fields in reader:
            # A quoted value may span lines: the operator looks for the line where the row starts.
            line, previous_end = previous_end + 1, reader.line_num
            if not any(value.strip() for value in fields):
                continue
            rows += 1
            try:
                yield _record(line, header, fields)
            except _Invalid as exc:
                summary.rejected.append(Rejected(line, str(exc)))
            if progress is not None and rows % _PROGRESS_EVERY == 0:
                progress(rows)
    except UnicodeDecodeError as exc:
        raise RegistryFormatError(
            f"after line {reader.line_num}: the file is not UTF-8 text ({exc.reason}); save it as CSV UTF-8"
        ) from exc
    except csv.Error as exc:
        raise RegistryFormatError(f"line {reader.line_num}: not valid CSV ({exc})") from exc
    if progress is not None:
        progress(rows)


def _header(fields: list[str] | None) -> dict[str, int]:
    """Column name -> position. Extra columns are allowed; missing or repeated ones are not."""
    expected = ",".join(COLUMNS)
    if fields is None:
        raise RegistryFormatError(f"the file is empty; the first line must be: {expected}")
    # Spreadsheet programs like to start UTF-8 files with a byte-order mark.
    names = [name.strip().lstrip("\ufeff").strip() for name in fields]
    repeated = sorted({name for name in names if name in COLUMNS and names.count(name) > 1})
    if repeated:
        raise RegistryFormatError(f"column(s) repeated in the header: {', '.join(repeated)}")
    missing = [column for column in COLUMNS if column not in names]
    if missing:
        hint = ""
        if len(fields) == 1 and ";" in fields[0]:
            hint = " (the file seems to use ';' between columns; save it comma-separated)"
        raise RegistryFormatError(
            f"missing column(s): {', '.join(missing)}{hint}; the first line must be: {expected}"
        )
    return {name: position for position, name in enumerate(names) if name in COLUMNS}


def _record(line: int, header: dict[str, int], fields: list[str]) -> _Record:
    width = max(header.values()) + 1
    if len(fields) < width:
        raise _Invalid(
            f"{len(fields)} values where the header has {width} (a comma missing, or a quote left open?)"
        )
    if any("\x00" in value for value in fields):
        # PostgreSQL refuses NUL in text; it only appears when the file is not really text.
        raise _Invalid("contains a NUL character")
    raw = {column: fields[position].strip() for column, position in header.items()}
    for column in ("name", "license_number", "status", "source"):
        if not raw[column]:
            raise _Invalid(f"{column} is empty")
    for column, limit in MAX_LENGTH.items():
        if len(raw[column]) > limit:
            raise _Invalid(f"{column} is longer than {limit} characters")
    status = STATUSES.get(raw["status"].casefold())
    if status is None:
        raise _Invalid(f"unknown status {raw['status']!r}; expected one of: {', '.join(STATUSES)}")
    destinations = ";".join(d.strip() for d in raw["destinations"].split(";") if d.strip())
    return _Record(
        line=line,
        name=" ".join(raw["name"].split()),
        license_number=" ".join(raw["license_number"].split()).upper(),
        status=status,
        valid_until=_date(raw, "valid_until"),
        province=raw["province"],
        city=raw["city"],
        address=raw["address"],
        phone=raw["phone"],
        destinations=destinations,
        source=raw["source"],
        updated_at=_date(raw, "updated_at"),
    )


def _date(raw: dict[str, str], column: str) -> date | None:
    text = raw[column]
    if not text:
        return None
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass  # shaped like a date but not one, such as 2027-02-30
    raise _Invalid(f"{column} {text!r} is not a date like 2027-06-30")
