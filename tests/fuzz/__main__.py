"""``python -m tests.fuzz`` (``make fuzz``): fuzz the service on SQLite and PostgreSQL and report.

    FUZZ_INPUTS=10000 make fuzz            # inputs per database (default 10,000)
    python -m tests.fuzz --inputs 500 --database sqlite

PostgreSQL: HELPLINE_FUZZ_DATABASE_URL, else HELPLINE_TEST_DATABASE_URL. Every table in that
database is dropped and migrated again, so point it at a scratch database. Without ``--database``
both run, PostgreSQL when such a URL is set and the server answers; otherwise it says why not.
Exit status 1 when anything was found."""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from tests.fuzz.service_fuzz import Tally, fresh_database, fuzz


def postgres_url() -> str | None:
    return os.environ.get("HELPLINE_FUZZ_DATABASE_URL") or os.environ.get("HELPLINE_TEST_DATABASE_URL")


def answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), timeout=2):
            return True
    except OSError:
        return False


def report(tally: Tally) -> str:
    lines = [
        f"{tally.database}: {tally.inputs} inputs in {tally.examples} examples, {tally.seconds:.0f} s; "
        f"exceptions {len(tally.exceptions)}, invariant breaks {len(tally.invariant_breaks)}; "
        f"{tally.tickets} tickets, conversations left at {len(tally.steps)} flow steps"
    ]
    for found in tally.findings:
        lines.append(f"  [{found.kind}] {found.name}: {found.message}")
        lines += ["      " + line for line in found.example.splitlines()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=int(os.environ.get("FUZZ_INPUTS", "10000")))
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default=None)
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", "0")))
    args = parser.parse_args(argv)
    url = postgres_url()
    wanted = ["sqlite", "postgresql"] if args.database in (None, "both") else [args.database]
    print(f"fuzzing the service, {args.inputs} inputs per database, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    tallies: list[Tally] = []
    for database in wanted:
        if database == "postgresql":
            if url is None or not answers(url):
                why = (
                    "no HELPLINE_FUZZ_DATABASE_URL or HELPLINE_TEST_DATABASE_URL"
                    if url is None
                    else ("the server does not answer")
                )
                if args.database == "postgresql":
                    print(f"postgresql: {why}", file=sys.stderr)
                    return 2
                print(f"postgresql: skipped ({why})")
                continue
            engine = fresh_database(url)
            tallies.append(fuzz(engine, "postgresql", args.inputs, args.seed))
            engine.dispose()
        else:
            with tempfile.TemporaryDirectory() as tmp:
                engine = fresh_database(f"sqlite:///{Path(tmp) / 'fuzz.db'}")
                tallies.append(fuzz(engine, "sqlite", args.inputs, args.seed))
                engine.dispose()
        print(report(tallies[-1]), flush=True)
    return 1 if any(t.findings for t in tallies) else 0


if __name__ == "__main__":
    sys.exit(main())
