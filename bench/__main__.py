"""``python -m bench [--quick] [--only core,search,e2e,memory,crisis,console,conversations]``:
prints the tables."""

from __future__ import annotations

import argparse
import time

from . import check, console, conversations, core, crisis, e2e, memory, multiprocess, search
from .stats import machine, table

SECTIONS = ("core", "search", "conversations", "e2e", "memory", "crisis", "console", "multiprocess")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, under 2 minutes")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    args = parser.parse_args()
    only = set(args.only.split(","))
    quick = args.quick
    began = time.monotonic()
    print(f"Machine: {machine()}")
    print(f"Mode: {'quick' if quick else 'full'}")

    if "core" in only:
        results = []
        kinds = ["sqlite"] + (["postgresql"] if core.postgres_available() else [])
        if len(kinds) == 1:
            print("PostgreSQL at 127.0.0.1:5432 does not answer: SQLite only")
        for kind in kinds:
            sizes = [(1, 30), (100, 100)] if quick else [(1, 100), (100, 100), (10_000, 10_000)]
            for users, count in sizes:
                limit = 240.0 if kind == "sqlite" else 120.0
                results.append(core.bench(kind, users, count, time_limit=limit))
            # For comparison: every commit synced, as before group commit.
            results.append(core.bench(f"{kind}-full", 100, 100 if quick else 200, time_limit=120.0))
        print(
            table(
                "Core: whole conversations through the service, one thread",
                core.HEADERS,
                [r.row() for r in results],
            )
        )
        print(
            "(14 updates a conversation; a later one by the same user is /start and the 10 report"
            " steps. A row whose conversations are fewer than asked stopped at its time limit"
            " after a whole round of steps.)"
        )

    if "search" in only:
        sizes = (1_000, 10_000, 50_000)
        print(
            table(
                "Recruiter search (RegistryIndex.search)",
                search.HEADERS,
                search.bench(sizes, 500 if quick else 2_000),
            )
        )
        print(
            table(
                "Recruiter search: is the answer right?",
                search.ACCURACY_HEADERS,
                search.accuracy(sizes, 100 if quick else 300, check.sample_index()),
            )
        )
        print(
            "(precision: companies answered as found that have the very name or licence asked for;"
            " queries made from listed companies: the same name written 5 ways, the licence 2 ways,"
            " 3 to 6 lookalikes, one one-letter typo; a typo that spells another listed name is"
            " not counted as one)"
        )
        print(
            table("/cek answers: messages a person receives (sample registry)", check.HEADERS, check.bench())
        )
        print(
            "(before this change, 780f10f: 2 messages for an active company, 3 for any other answer;"
            " 10 or 11 from /cek to the verdict)"
        )

    if "conversations" in only:
        print(
            table(
                "Messages per answer, every scripted conversation (tests/golden/scripts.py)",
                conversations.HEADERS,
                conversations.bench(),
            )
        )
        print(
            "(before 5a89f7e, for the same 754 messages: 818 bot messages, 68 answers of 2 or 3"
            " messages: 'Language changed.' then the question, a kept note then the question"
            " again, the urgent report's receipt, check-in offer and 'where are you' apart)"
        )

    if "e2e" in only:
        users = 50 if quick else 400
        results = [
            e2e.run(kind, latency, users, timeout=120)
            for latency in (0.0, 0.05)
            for kind in ("echo", "helpline")
        ]
        print(
            table("End to end: helpline run vs a bare echo bot, fake Bot API", e2e.HEADERS, e2e.rows(results))
        )
        print(
            f"(each user sends {len(e2e.MESSAGES)} commands at once; p50/p99 from the update being"
            " offered to its last reply arriving; the helpline's 30/s overall cap lifted with"
            " TELEGRAM_OVERALL_RATE, see bench/live.py)"
        )

    if "memory" in only:
        print(
            table(
                "Memory of the bot process",
                memory.HEADERS,
                [memory.run(500 if quick else 10_000, timeout=300)],
            )
        )

    if "crisis" in only:
        rows = (
            crisis.run(100, 250, 2.0, 5, timeout=120)
            if quick
            else crisis.run(2_000, 5_000, 10.0, 20, timeout=420)
        )
        print(table("Crisis burst at Telegram's limits (helpline as shipped)", crisis.HEADERS, rows))
    if "console" in only:
        kinds = ["sqlite"] + (["postgresql"] if core.postgres_available() else [])
        rows = [row for kind in kinds for row in console.run(kind, 10_000, 20 if quick else 100)]
        print(table("Console pages, 10,000 tickets (budget: the queue under 200 ms)", console.HEADERS, rows))
    if "multiprocess" in only:
        if not core.postgres_available():
            print("PostgreSQL at 127.0.0.1:5432 does not answer: no multi-process section")
        else:
            users = 100 if quick else 400
            rows = [multiprocess.throughput(n, users) for n in (1, 2, 3)]
            print(
                table(
                    "Several webhook processes, one PostgreSQL, 50 ms API latency (limits lifted)",
                    multiprocess.THROUGHPUT_HEADERS,
                    rows,
                )
            )
            shared = "shared through Redis" if multiprocess.redis_available() else "one elected sender"
            burst = multiprocess.crisis(300, 3.0, 5) if quick else multiprocess.crisis(1_500, 10.0, 20)
            title = f"Crisis burst, 3 webhook processes, Telegram's limits ({shared})"
            print(table(title, crisis.HEADERS, [burst]))
    print(f"\nTook {time.monotonic() - began:.0f} s.")


if __name__ == "__main__":
    main()
