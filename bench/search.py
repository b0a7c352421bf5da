"""Recruiter search: latency of ``RegistryIndex.search`` (the /cek lookup) over synthetic
registries of fictional companies, built in memory exactly as ``RegistryIndex.load`` builds
them from the database."""

from __future__ import annotations

import random
import time
from datetime import UTC, date, datetime

from storage.recruiter_search import RegistryIndex
from storage.recruiter_table import RecruiterRow

from .stats import percentile

# Fictional name parts in the style of Indonesian placement companies (P3MI).
COMMON = (
    "Karya",
    "Mandiri",
    "Jaya",
    "Sejahtera",
    "Bina",
    "Putra",
    "Abadi",
    "Makmur",
    "Sentosa",
    "Utama",
    "Perkasa",
    "Bersama",
    "Prima",
    "Mulia",
    "Sukses",
    "Global",
    "Insani",
    "Tenaga",
)
SYLLABLES = (
    "ba",
    "ra",
    "sa",
    "ma",
    "ti",
    "ka",
    "lu",
    "na",
    "di",
    "wa",
    "ya",
    "ri",
    "to",
    "se",
    "ga",
    "nu",
    "pe",
    "ja",
    "ha",
    "lo",
    "mi",
    "ku",
    "de",
    "an",
    "in",
    "ar",
)


def fictional_word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def fictional_rows(count: int, seed: int = 6) -> list[RecruiterRow]:
    rng = random.Random(seed)
    now = datetime(2026, 10, 1, tzinfo=UTC)
    rows = []
    for i in range(count):
        words = [fictional_word(rng) for _ in range(rng.randint(1, 2))]
        words += rng.sample(COMMON, rng.randint(1, 2))
        rng.shuffle(words)
        name = "PT " + " ".join(words)
        rows.append(
            RecruiterRow(
                id=i + 1,
                name=name,
                name_normalised=name.lower(),
                license_number=f"SIP3MI-B-{i:06d}",
                status=rng.choice(("active", "active", "active", "suspended", "revoked")),
                valid_until=date(2028, 1, 1),
                province="Jawa Barat",
                city="Bandung",
                address="-",
                phone="-",
                destinations="Malaysia;Taiwan",
                source="bench (fictional)",
                updated_at=date(2026, 10, 1),
                imported_at=now,
            )
        )
    return rows


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # swap two letters


def queries(rows: list[RecruiterRow], count: int, seed: int = 7) -> list[str]:
    """A mix as people type them: exact names, names with a typo and without "PT", two words
    of a name, licence numbers, and names that are not in the registry."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        row = rng.choice(rows)
        words = row.name.split()[1:]
        kind = i % 5
        if kind == 0:
            out.append(row.name)
        elif kind == 1:
            out.append(" ".join(typo(w, rng) for w in words).lower())
        elif kind == 2:
            out.append(" ".join(words[:2]))
        elif kind == 3:
            out.append(row.license_number.lower())
        else:
            out.append(f"{fictional_word(rng)} {fictional_word(rng)} {rng.choice(COMMON)}")
    return out


def bench(sizes: tuple[int, ...], count: int) -> list[list[object]]:
    table = []
    for size in sizes:
        rows = fictional_rows(size)
        started = time.perf_counter()
        index = RegistryIndex.from_rows(rows)
        build = time.perf_counter() - started
        qs = queries(rows, count)
        for q in qs[:20]:  # warm up
            index.search(q)
        latencies = []
        found = 0
        for q in qs:
            t0 = time.perf_counter()
            answer = index.search(q)
            latencies.append(time.perf_counter() - t0)
            found += bool(answer.candidates)
        table.append(
            [
                f"{size:,}",
                f"{len(index.vocabulary):,}",
                f"{build:.2f}",
                f"{len(qs):,}",
                f"{found / len(qs):.0%}",
                f"{percentile(latencies, 50) * 1000:.2f}",
                f"{percentile(latencies, 99) * 1000:.2f}",
                f"{max(latencies) * 1000:.2f}",
            ]
        )
    return table


HEADERS = ["rows", "distinct words", "index build s", "queries", "with a match", "p50 ms", "p99 ms", "max ms"]
