"""Recruiter search: latency of ``RegistryIndex.search`` (the /cek lookup) over synthetic
registries of fictional companies, built in memory exactly as ``RegistryIndex.load`` builds
them from the database; and how right it is: "found" must only ever be the company the person
named (precision 100%: no lookalike is found), and a one-letter typo of a listed name should
come back as "did you mean" that company (recall)."""

from __future__ import annotations

import csv
import random
import re
import string
import time
import unicodedata
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

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


@cache
def registry(size: int) -> tuple[list[RecruiterRow], RegistryIndex, float]:
    """The synthetic rows of ``size`` companies, their index, and the seconds the index took;
    built once for the latency and the accuracy tables."""
    rows = fictional_rows(size)
    started = time.perf_counter()
    index = RegistryIndex.from_rows(rows)
    return rows, index, time.perf_counter() - started


def bench(sizes: tuple[int, ...], count: int) -> list[list[object]]:
    table: list[list[object]] = []
    for size in sizes:
        rows, index, build = registry(size)
        qs = queries(rows, count)
        for q in qs[:20]:  # warm up
            index.search(q)
        latencies = []
        kinds = {"found": 0, "close": 0, "similar": 0}
        for q in qs:
            t0 = time.perf_counter()
            answer = index.search(q)
            latencies.append(time.perf_counter() - t0)
            for kind in kinds:
                kinds[kind] += bool(getattr(answer, kind))
        table.append(
            [
                f"{size:,}",
                f"{len(index.vocabulary):,}",
                f"{build:.2f}",
                f"{len(qs):,}",
                " / ".join(f"{kinds[kind] / len(qs):.0%}" for kind in kinds),
                f"{percentile(latencies, 50) * 1000:.2f}",
                f"{percentile(latencies, 99) * 1000:.2f}",
                f"{max(latencies) * 1000:.2f}",
            ]
        )
    return table


HEADERS = [
    "rows",
    "distinct words",
    "index build s",
    "queries",
    "found / close / similar",
    "p50 ms",
    "p99 ms",
    "max ms",
]


# -- how right the answers are -------------------------------------------------------------------
QUERY_TABLE = Path(__file__).resolve().parents[1] / "tests" / "data" / "recruiter_queries.csv"
_NOT_NAME = frozenset({"pt", "tbk", "persero", "perseroda"})


def letters(name: str) -> str:
    """The judge, written apart from the search: a name's letters and digits once case, accents,
    "PT", legal suffixes and the "(CONTOH)" mark are set aside. Two names are the same name when
    these agree (SPEC section 5)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name.casefold()) if c.isascii())
    plain = plain.replace("(contoh)", " ").replace("perseroan terbatas", " pt ")
    plain = re.sub(r"\bp\s*\.\s*t\b", " pt ", plain)
    return "".join(w for w in re.findall(r"[a-z0-9]+", plain.replace("'", "")) if w not in _NOT_NAME)


def one_letter(word: str, rng: random.Random) -> str:
    """``word`` with one letter changed, added, left out, or two neighbours swapped."""
    while True:
        i = rng.randrange(len(word))
        kind = rng.choice(("change", "add", "drop", "swap"))
        letter = rng.choice(string.ascii_lowercase)
        if kind == "change":
            typo = word[:i] + letter + word[i + 1 :]
        elif kind == "add":
            typo = word[:i] + letter + word[i:]
        elif kind == "drop" and len(word) > 2:
            typo = word[:i] + word[i + 1 :]
        elif kind == "swap" and i + 1 < len(word):
            typo = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        else:
            continue
        if typo.lower() != word.lower():
            return typo


def labelled(row: RecruiterRow, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, query) made from one company: the same name as people write it, its licence
    number, lookalikes, and a one-letter typo."""
    words = row.name.split()[1:]
    others = [w for w in COMMON if w not in words]
    out = [
        ("same", row.name),
        ("same", row.name.lower()),
        ("same", "PT. " + " ".join(words).upper()),
        ("same", " ".join(words)),
        ("same", "P.T.  " + "-".join(words)),
        ("licence", row.license_number),
        ("licence", " " + row.license_number.lower().replace("-", " - ") + " "),
        ("lookalike", row.name + " " + rng.choice(others)),
        ("lookalike", "CV " + " ".join(words)),
        ("lookalike", row.name + " (Malaysia)"),
    ]
    if len(words) > 1:
        dropped = list(words)
        dropped.pop(rng.randrange(len(dropped)))
        out.append(("lookalike", "PT " + " ".join(dropped)))
        replaced = list(words)
        replaced[rng.randrange(len(replaced))] = rng.choice(others)
        out.append(("lookalike", "PT " + " ".join(replaced)))
        if words[0] != words[1]:
            out.append(("lookalike", "PT " + " ".join([words[1], words[0], *words[2:]])))
    typo = list(words)
    at = rng.randrange(len(typo))
    typo[at] = one_letter(typo[at], rng)
    out.append(("typo", "PT " + " ".join(typo)))
    return out


Case = tuple[str, str, tuple[str, str] | None]  # kind, query, (name, licence) it was made from


def _score(index: RegistryIndex, cases: list[Case]) -> list[str]:
    """Precision of "found", recall of "found" for the same name, recall of "did you mean"."""
    listed = {letters(company.name) for company in index.recruiters}
    found = correct = same = same_found = typos = typos_close = typos_shown = 0
    for kind, query, origin in cases:
        answer = index.search(query)
        for company in answer.found:
            found += 1
            correct += letters(company.name) == letters(query) or (
                "".join(query.split()).upper() == "".join(company.license_number.split()).upper()
            )
        if kind in ("same", "licence"):
            same += 1
            same_found += origin is not None and any(c.license_number == origin[1] for c in answer.found)
        # A typo that happens to spell another listed name is that name, not a typo.
        if kind == "typo" and origin is not None and letters(query) not in listed:
            typos += 1
            # By name: a synthetic registry may list the same name twice, under two licences.
            meant = letters(origin[0])
            typos_close += any(letters(c.name) == meant for c in answer.close)
            typos_shown += any(letters(c.name) == meant for c in answer.candidates)
    return [
        f"{len(cases):,}",
        f"{correct / found:.1%} ({correct:,}/{found:,})" if found else "-",
        f"{same_found / same:.1%}" if same else "-",
        f"{typos_close / typos:.1%} ({typos_close:,}/{typos:,})" if typos else "-",
        f"{typos_shown / typos:.1%}" if typos else "-",
    ]


def accuracy(
    sizes: tuple[int, ...], per_size: int, sample: RegistryIndex | None = None
) -> list[list[object]]:
    table: list[list[object]] = []
    if sample is not None:
        with QUERY_TABLE.open(encoding="utf-8", newline="") as stream:
            rows = list(csv.DictReader(stream))
        by_licence = {r.license_number: r for r in sample.recruiters}
        cases: list[Case] = []
        for row in rows:
            origin = by_licence.get(row["licence"])
            kind = {"found": "same", "close": "typo"}.get(row["outcome"], "lookalike")
            cases.append((kind, row["query"], (origin.name, origin.license_number) if origin else None))
        table.append(["sample + tests/data/recruiter_queries.csv", *_score(sample, cases)])
    for size in sizes:
        rows_, index, _ = registry(size)
        rng = random.Random(size)
        picked = rng.sample(rows_, min(per_size, len(rows_)))
        cases = [
            (kind, query, (row.name, row.license_number))
            for row in picked
            for kind, query in labelled(row, rng)
        ]
        table.append([f"synthetic {size:,}", *_score(index, cases)])
    return table


ACCURACY_HEADERS = [
    "registry",
    "queries",
    'precision of "found"',
    'same name or licence "found"',
    'one-letter typos "did you mean"',
    "typo shown at all",
]
