"""Recruiter registry: CSV import rules, search by licence and by name, and the operator CLI."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, create_engine, select
from typer.testing import CliRunner

from bot.cli_recruiters import recruiters_app
from flows.ports import RecruiterLookup, RegistryAnswer
from storage.recruiter_search import MAX_QUERY, RegistryIndex, licence_key, name_key, normalise_name
from storage.recruiter_table import RecruiterRow
from storage.registry import (
    ImportSummary,
    RegistryFormatError,
    RegistryStatus,
    Rejected,
    import_csv,
    registry_status,
)
from tests.support.memory import shipped_sample

DATA = Path(__file__).parent / "data"
SAMPLE = Path(__file__).parents[1] / "data" / "recruiters.sample.csv"
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
HEADER = "name,license_number,status,valid_until,province,city,address,phone,destinations,source,updated_at"


@pytest.fixture
def engine() -> Iterator[Engine]:
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine, tables=[RecruiterRow.__table__])  # type: ignore[attr-defined]
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


def load(session: Session, name: str, *, now: datetime = NOW, sample: bool = False) -> ImportSummary:
    with (DATA / name).open(encoding="utf-8-sig", newline="") as stream:
        summary = import_csv(session, stream, now=now, is_sample=sample)
    session.commit()
    return summary


def load_text(session: Session, text: str, *, sample: bool = False) -> ImportSummary:
    summary = import_csv(session, io.StringIO(text), now=NOW, is_sample=sample)
    session.commit()
    return summary


def rows(session: Session) -> dict[str, RecruiterRow]:
    return {row.license_number: row for row in session.exec(select(RecruiterRow))}


def row(name: str, licence: str, *, status: str = "active", **extra: Any) -> RecruiterRow:
    values: dict[str, Any] = {
        "name": name,
        "name_normalised": normalise_name(name),
        "license_number": licence,
        "status": status,
        "province": "",
        "city": "",
        "address": "",
        "phone": "",
        "destinations": "",
        "source": "test",
        "imported_at": NOW,
    }
    return RecruiterRow(**(values | extra))


# --- import -----------------------------------------------------------------------------------


def test_import_stores_every_valid_row_in_the_table_shape(session: Session) -> None:
    summary = load(session, "registry_valid.csv")

    assert summary == ImportSummary(imported=5, updated=0, unchanged=0, rejected=[])
    stored = rows(session)
    assert set(stored) == {f"SIP3MI-T-{n}" for n in ("0417", "0500", "0501", "0502", "0503")}
    first = stored["SIP3MI-T-0417"]
    assert first.name == "PT Bintang Samudra Karya (CONTOH)"
    assert first.name_normalised == "bintang samudra karya"  # the sample's mark is not a word
    assert first.valid_until == date(2027, 6, 30)
    assert first.updated_at == date(2026, 10, 1)
    assert (first.province, first.city) == ("Jawa Timur", "Malang")
    assert first.address == "Jl. Fiktif 1, Malang"
    assert first.destinations == "Taiwan;Hong Kong"
    assert first.is_sample is False
    assert stored["SIP3MI-T-0501"].destinations == "Malaysia;Singapore"
    assert stored["SIP3MI-T-0501"].valid_until is None
    assert stored["SIP3MI-T-0502"].updated_at is None


def test_licence_numbers_are_trimmed_and_upper_cased(session: Session) -> None:
    load(session, "registry_valid.csv")

    assert "SIP3MI-T-0500" in rows(session)  # written " sip3mi-t-0500 " in the file


def test_indonesian_status_words_become_the_english_ids(session: Session) -> None:
    load(session, "registry_valid.csv")

    status = {licence: stored.status for licence, stored in rows(session).items()}
    assert status == {
        "SIP3MI-T-0417": "active",
        "SIP3MI-T-0500": "suspended",  # dibekukan
        "SIP3MI-T-0501": "revoked",  # dicabut
        "SIP3MI-T-0502": "expired",  # KEDALUWARSA
        "SIP3MI-T-0503": "active",  # Aktif
    }


def test_reimporting_the_same_file_changes_nothing(session: Session) -> None:
    load(session, "registry_valid.csv")
    summary = load(session, "registry_valid.csv", now=LATER)

    assert summary == ImportSummary(imported=0, updated=0, unchanged=5, rejected=[])
    assert len(rows(session)) == 5
    assert {stored.imported_at.replace(tzinfo=UTC) for stored in rows(session).values()} == {NOW}


def test_reimport_updates_by_licence_number_instead_of_duplicating(session: Session) -> None:
    load(session, "registry_valid.csv")
    changed = (DATA / "registry_valid.csv").read_text(encoding="utf-8")
    changed = changed.replace("SIP3MI-T-0417,active", " sip3mi-t-0417 ,dicabut")
    summary = import_csv(session, io.StringIO(changed), now=LATER)
    session.commit()

    assert (summary.imported, summary.updated, summary.unchanged) == (0, 1, 4)
    stored = rows(session)
    assert len(stored) == 5
    assert stored["SIP3MI-T-0417"].status == "revoked"
    assert stored["SIP3MI-T-0417"].imported_at.replace(tzinfo=UTC) == LATER


def test_rows_breaking_a_rule_are_rejected_with_line_and_reason(session: Session) -> None:
    summary = load(session, "registry_bad_rows.csv")

    assert (summary.imported, summary.updated, summary.unchanged) == (2, 0, 0)
    reasons = {rejected.line: rejected.reason for rejected in summary.rejected}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 11, 13]
    assert reasons[3] == "name is empty"
    assert reasons[4] == "license_number is empty"
    assert reasons[5].startswith("unknown status 'frozen'")
    assert "dibekukan" in reasons[5]
    assert reasons[6] == "valid_until '30/06/2027' is not a date like 2027-06-30"
    assert reasons[7] == "valid_until '2027-02-30' is not a date like 2027-06-30"
    assert reasons[8] == "source is empty"
    assert reasons[9].startswith("3 values where the header has 11")
    assert reasons[13] == "updated_at '1 Oktober 2026' is not a date like 2027-06-30"
    assert set(rows(session)) == {"SIP3MI-T-0601", "SIP3MI-T-0609"}


def test_a_licence_repeated_in_one_file_keeps_the_later_row_and_says_so(
    session: Session,
) -> None:
    summary = load(session, "registry_bad_rows.csv")

    assert Rejected(11, "licence SIP3MI-T-0609 appears again on line 12; the later row is used") in (
        summary.rejected
    )
    kept = rows(session)["SIP3MI-T-0609"]
    assert (kept.name, kept.status) == ("PT Kembar Baru (CONTOH)", "suspended")


def test_extra_columns_are_ignored_and_column_order_is_free(session: Session) -> None:
    summary = load(session, "registry_reordered_extra.csv")

    assert summary.imported == 1
    stored = rows(session)["SIP3MI-T-0417"]
    assert (stored.name, stored.source) == ("PT Bintang Samudra Karya (CONTOH)", "test fixture")


def test_byte_order_mark_and_windows_line_ends_are_accepted(session: Session) -> None:
    with (DATA / "registry_bom_crlf.csv").open(encoding="utf-8", newline="") as stream:
        summary = import_csv(session, stream, now=NOW)

    assert (summary.imported, summary.rejected) == (1, [])


def test_rejections_name_the_line_where_the_row_starts(session: Session) -> None:
    text = f'{HEADER}\nPT A,L-1,active,,,,"Jl. Satu\nBlok 2",,,src,\n\nPT B,L-2,frozen,,,,,,,src,\n'
    summary = load_text(session, text)

    assert (summary.imported, summary.rejected[0].line) == (1, 5)
    assert rows(session)["L-1"].address == "Jl. Satu\nBlok 2"


def test_values_longer_than_their_column_are_rejected(session: Session) -> None:
    summary = load_text(session, f"{HEADER}\n{'X' * 301},L-1,active,,,,,,,src,\n")

    assert summary.rejected == [Rejected(2, "name is longer than 300 characters")]


def test_a_nul_character_rejects_the_row(session: Session) -> None:
    summary = load_text(session, f"{HEADER}\nPT A\x00B,L-1,active,,,,,,,src,\n")

    assert summary.rejected == [Rejected(2, "contains a NUL character")]


def test_missing_columns_reject_the_whole_file(session: Session) -> None:
    with pytest.raises(RegistryFormatError, match=r"missing column\(s\): source, updated_at"):
        load(session, "registry_missing_columns.csv")
    assert rows(session) == {}


def test_a_semicolon_separated_file_gets_a_hint(session: Session) -> None:
    with pytest.raises(RegistryFormatError, match="seems to use ';'"):
        load(session, "registry_semicolon.csv")


@pytest.mark.parametrize("text", ["", "\n"])
def test_an_empty_file_is_a_format_error(session: Session, text: str) -> None:
    with pytest.raises(RegistryFormatError, match="first line must be: name,license_number"):
        load_text(session, text)


def test_a_repeated_column_is_a_format_error(session: Session) -> None:
    with pytest.raises(RegistryFormatError, match="repeated in the header: name"):
        load_text(session, HEADER + ",name\n")


def test_bytes_that_are_not_utf8_reject_the_file_and_write_nothing(session: Session) -> None:
    # The bad bytes sit on line 3, after a valid row: that row must not be imported either.
    with pytest.raises(RegistryFormatError, match="not UTF-8 text"):
        load(session, "registry_latin1.csv")
    session.rollback()
    assert rows(session) == {}


def test_a_binary_file_is_a_clear_error(session: Session) -> None:
    with pytest.raises(RegistryFormatError, match="save it as CSV UTF-8"):
        load(session, "registry_garbage.csv")


def test_a_field_beyond_the_csv_size_limit_is_a_format_error(session: Session) -> None:
    # What an unclosed quote in a large file turns into.
    with pytest.raises(RegistryFormatError, match="line 2: not valid CSV"):
        load_text(session, f'{HEADER}\n"{"x" * 200_000}\n')


def test_progress_reports_rows_read(session: Session) -> None:
    lines = [f"PT Nomor {n} (CONTOH),L-{n},active,,,,,,,src," for n in range(250)]
    seen: list[int] = []
    import_csv(session, io.StringIO("\n".join([HEADER, *lines])), now=NOW, progress=seen.append)

    assert seen == [100, 200, 250]


def test_the_import_time_must_carry_a_timezone(session: Session) -> None:
    with pytest.raises(ValueError, match="timezone"):
        import_csv(session, io.StringIO(HEADER), now=datetime(2026, 11, 2, 9, 0))


def test_registry_status(session: Session) -> None:
    assert registry_status(session) == RegistryStatus(0, None, False)
    load(session, "registry_valid.csv")
    assert registry_status(session) == (5, date(2026, 10, 1), False)


def test_the_sample_marks_the_registry_until_a_real_list_replaces_it(session: Session) -> None:
    with SAMPLE.open(encoding="utf-8", newline="") as stream:
        import_csv(session, stream, now=NOW, is_sample=True)
    session.commit()
    assert registry_status(session).is_sample

    summary = load(session, "registry_valid.csv", now=LATER)

    # SIP3MI-T-0417 is in both files: it turns into a real row; the other 13 samples go.
    assert (summary.imported, summary.updated, summary.removed_samples) == (4, 1, 13)
    assert registry_status(session) == (5, date(2026, 10, 1), False)


# --- search -----------------------------------------------------------------------------------


@pytest.fixture
def index(session: Session) -> RegistryIndex:
    load(session, "registry_valid.csv")
    return RegistryIndex.load(session)


def names(answer_index: RegistryIndex, query: str, limit: int = 3) -> list[str]:
    return [found.name for found in answer_index.search(query, limit).candidates]


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("PT Bintang Samudra Karya", "bintang samudra karya"),
        ("PT. Bintang-Samudra Karya, Tbk.", "bintang samudra karya"),
        ("P.T. BINTANG SAMUDRA KARYA", "bintang samudra karya"),
        ("p. t. Ñusa Çahaya Émas", "nusa cahaya emas"),
        ("Perseroan Terbatas  Maju   Bersama", "maju bersama"),
        ("CV. Sya'ban Jaya", "syaban jaya"),
        ("Optima Karya PT", "optima karya"),
        ("PTK Karya", "ptk karya"),
        ("PT", ""),
        ("İSTANBUL ℌ", "istanbul h"),
        ("PT Bintang Samudra Karya (CONTOH)", "bintang samudra karya"),
        ("PT Pos Indonesia (Persero)", "pos indonesia"),
        ("perseroan perseroan terbatas terbatas jaya", "jaya"),
    ],
)
def test_normalise_name(raw: str, normalised: str) -> None:
    assert normalise_name(raw) == normalised


@given(st.text(max_size=300))
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = normalise_name(text)
    assert normalise_name(once) == once
    key = name_key(text)
    assert name_key(key) == key


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("PT Bintang Samudra Karya (CONTOH)", "bintang samudra karya"),
        ("PT. BINTANG SAMUDRA KARYA", "P.T. Bintang-Samudra Karya"),
        ("Layang-Layang Biru", "Layanglayang Biru"),
        ("PT Cermin Ajaib (Persero) Tbk", "Cermin Ajaib"),
        ("Perseroan Terbatas Maju Bersama", "PT Maju Bersama"),
    ],
)
def test_the_same_name_despite_case_pt_punctuation_spaces_and_suffixes(one: str, other: str) -> None:
    assert name_key(one) == name_key(other) != ""


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("PT Bintang Samudra Karya", "CV Bintang Samudra Karya"),  # another legal form
        ("PT Bintang Samudra Karya", "PT Bintang Samudra Karya (Malaysia)"),  # a "branch"
        ("PT Bintang Samudra Karya", "PT Samudra Bintang Karya"),
        ("PT Bintang Samudra Karya", "PT Bintang Samudra Karja"),
    ],
)
def test_lookalikes_are_other_names(one: str, other: str) -> None:
    assert name_key(one) != name_key(other)


@pytest.mark.parametrize(
    "query", ["SIP3MI-T-0417", "  sip3mi-t-0417 ", "Sip3mi-T-0417\n", "SIP3MI - T - 0417"]
)
def test_licence_number_matches_exactly_whatever_the_spacing_and_case(
    index: RegistryIndex, query: str
) -> None:
    answer = index.search(query)

    assert answer.by_licence
    assert [found.license_number for found in answer.found] == ["SIP3MI-T-0417"]
    assert (answer.close, answer.similar) == ((), ())
    found = answer.found[0]
    assert (found.status, found.valid_until) == ("active", date(2027, 6, 30))
    assert found.destinations == ("Taiwan", "Hong Kong")
    assert (found.city, found.province, found.source) == ("Malang", "Jawa Timur", "test fixture")


def test_licence_key() -> None:
    assert licence_key(" sip3mi - t-0417\t") == "SIP3MI-T-0417"


@pytest.mark.parametrize(
    "query",
    [
        "PT. Bintang-Samudra Karya",
        "P.T. BINTANG SAMUDRA KARYA, Tbk.",
        "bintang samudra karya (contoh)",
        "BintangSamudra Karya",
    ],
)
def test_the_same_name_is_found(index: RegistryIndex, query: str) -> None:
    answer = index.search(query)

    assert not answer.by_licence
    assert [found.name for found in answer.found] == ["PT Bintang Samudra Karya (CONTOH)"]
    assert (answer.close, answer.similar) == ((), ())


@pytest.mark.parametrize(
    "query", ["pt bintang samudera karya", "bintnag samudra karya", "bintang samudra karja"]
)
def test_one_letter_away_is_close_never_found(index: RegistryIndex, query: str) -> None:
    answer = index.search(query)

    assert answer.found == ()
    assert answer.close[0].name == "PT Bintang Samudra Karya (CONTOH)"
    # The other names like it follow as similar; none of them twice.
    assert len({c.license_number for c in answer.candidates}) == len(answer.candidates) <= 3


def test_a_lookalike_is_similar_never_found(index: RegistryIndex) -> None:
    answer = index.search("Bintang Samudra Karya Malang")

    assert (answer.found, answer.close) == ((), ())
    assert answer.similar[0].name == "PT Bintang Samudra Karya (CONTOH)"


def test_a_short_word_one_letter_off_is_close_though_it_is_no_typo_for_similar_names() -> None:
    index = RegistryIndex.from_rows([row("PT Jaya Abadi", "L-1"), row("PT Daya Abadi", "L-2")])

    assert [c.license_number for c in index.search("Jaya Abadi").found] == ["L-1"]
    assert [c.license_number for c in index.search("Jaya Abadu").close] == ["L-1"]
    # Both are one letter from "Kaya Abadi": both are shown, and neither is found.
    answer = index.search("Kaya Abadi")
    assert answer.found == ()
    assert {c.license_number for c in answer.close} == {"L-1", "L-2"}


def test_very_short_names_get_no_suggestion() -> None:
    index = RegistryIndex.from_rows([row("PT Abc", "L-1")])

    assert index.search("Abd").candidates == ()
    assert [c.license_number for c in index.search("ABC").found] == ["L-1"]


def test_several_companies_with_the_same_name_are_all_found() -> None:
    index = RegistryIndex.from_rows(
        [
            row("PT Kembar Jaya (CONTOH)", "L-1", status="revoked"),
            row("PT. Kembar Jaya", "L-2"),
            row("PT Kembar Jaya Abadi", "L-3"),
        ]
    )

    answer = index.search("kembar jaya")
    assert [c.license_number for c in answer.found] == ["L-1", "L-2"]
    assert (answer.close, answer.similar) == ((), ())


def test_candidates_are_ranked_closest_first(index: RegistryIndex) -> None:
    # All three words in the same order first, then in another order, then two of them.
    assert names(index, "samudra karya bintang") == [
        "PT Samudra Karya Bintang Timur (CONTOH)",
        "PT Bintang Samudra Karya (CONTOH)",
        "PT Bintang Samudra Jaya (CONTOH)",
    ]
    assert names(index, "bintang samudra jaya")[0] == "PT Bintang Samudra Jaya (CONTOH)"


def test_at_most_limit_candidates(index: RegistryIndex) -> None:
    assert len(names(index, "karya")) == 3
    assert names(index, "karya", limit=1) == ["CV Bintang Karya (CONTOH)"]  # the shortest name
    assert len(names(index, "karya", limit=10)) == 4


@pytest.mark.parametrize(
    "query",
    ["zzzz", "toko roti", "budi santoso", "bintang abadi", "PT", "", "   ", "?!", "SIP3MI-T-9999"],
)
def test_unrelated_text_finds_nothing(index: RegistryIndex, query: str) -> None:
    assert names(index, query) == []


def test_short_words_need_to_be_spelled_right(index: RegistryIndex) -> None:
    # One letter in four is too much to call a typo: "daya" is another word, not "jaya".
    assert names(index, "jaya") == ["PT Bintang Samudra Jaya (CONTOH)"]
    assert names(index, "daya") == []
    assert names(index, "awan karya mandri") == ["PT Awan Karya Mandiri (CONTOH)"]


def test_most_words_of_the_query_must_be_in_the_name(index: RegistryIndex) -> None:
    # Two of three words: a look-alike name is worth showing next to its licence and status.
    assert names(index, "bintang jaya abadi") == ["PT Bintang Samudra Jaya (CONTOH)"]
    assert names(index, "awan karya sentosa abadi") == []


# --- the query table: every kind of query against the shipped sample, with its outcome --------


def query_table() -> list[dict[str, str]]:
    with (DATA / "recruiter_queries.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def outcome(answer: RegistryAnswer) -> tuple[str, str]:
    """found | close | similar | none, and the licence of the first company of that kind."""
    for kind, companies in (("found", answer.found), ("close", answer.close), ("similar", answer.similar)):
        if companies:
            return kind, companies[0].license_number
    return "none", ""


def test_the_query_table_covers_every_kind_of_query() -> None:
    table = query_table()
    assert len(table) >= 40
    assert {row["outcome"] for row in table} == {"found", "close", "similar", "none"}
    # Every expected licence is in the sample, and every sample company is asked about.
    sample = {line.split(",")[1] for line in SAMPLE.read_text("utf-8").splitlines()[1:]}
    expected = {row["licence"] for row in table if row["licence"]}
    assert expected == sample


@pytest.mark.parametrize("case", query_table(), ids=lambda case: f"{case['outcome']}:{case['query'].strip()}")
def test_query_table(sample_index: RegistryIndex, case: dict[str, str]) -> None:
    answer = sample_index.search(case["query"])

    assert outcome(answer) == (case["outcome"], case["licence"]), case["why"]
    if case["outcome"] != "found":
        assert answer.found == (), "only the same licence or the same name is found"


@pytest.fixture(scope="module")
def sample_index() -> RegistryIndex:
    return shipped_sample()


def test_long_queries_are_cut(index: RegistryIndex) -> None:
    # Only the first MAX_QUERY characters count: here the licence number and blanks.
    answer = index.search("SIP3MI-T-0417" + " " * MAX_QUERY + "anything after the cut")
    assert answer.by_licence
    assert names(index, "zz " * MAX_QUERY + "bintang samudra karya") == []


@given(st.text(max_size=400))
def test_search_never_fails(text: str) -> None:
    index = RegistryIndex.from_rows([row("PT Bintang Samudra Karya", "SIP3MI-T-0417"), row("CV Jaya", "L-2")])
    answer = index.search(text)
    assert len(answer.candidates) <= 3


def test_answer_carries_registry_date_and_sample_flag() -> None:
    real = RegistryIndex.from_rows(
        [
            row("PT Satu", "L-1", updated_at=date(2026, 9, 1)),
            row("PT Dua", "L-2", updated_at=date(2026, 10, 1)),
            row("PT Tiga", "L-3"),
        ]
    )
    answer = real.search("satu")
    assert (answer.updated_at, answer.is_sample) == (date(2026, 10, 1), False)

    mixed = RegistryIndex.from_rows([row("PT Satu", "L-1"), row("PT Dua", "L-2", is_sample=True)])
    assert mixed.search("zzzz").is_sample
    assert mixed.search("zzzz").updated_at is None


def test_an_empty_registry_answers_nothing() -> None:
    answer = RegistryIndex.from_rows([]).search("bintang")
    assert (answer.candidates, answer.updated_at, answer.is_sample) == ((), None, False)


def test_the_sample_registry_is_flagged(session: Session) -> None:
    with SAMPLE.open(encoding="utf-8", newline="") as stream:
        import_csv(session, stream, now=NOW, is_sample=True)
    session.commit()

    lookup: RecruiterLookup = RegistryIndex.load(session)  # what the engine is given
    answer = lookup.search("pt bintang samudera karya")

    assert answer.is_sample
    assert answer.updated_at == date(2026, 10, 1)
    assert answer.close[0].license_number == "SIP3MI-T-0417"


# --- command line -----------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[tuple[CliRunner, list[str]]]:
    # A real file database through storage.db: the commands migrate it themselves.
    yield CliRunner(env={"COLUMNS": "200"}), ["--database-url", f"sqlite:///{tmp_path / 'h.db'}"]


def test_cli_imports_then_searches_the_sample(cli: tuple[CliRunner, list[str]]) -> None:
    runner, db = cli
    first = runner.invoke(recruiters_app, ["import", str(SAMPLE), "--sample", *db])
    assert first.exit_code == 0, first.output
    assert "Registry import" in first.stdout
    assert "│ 14       │ 0       │ 0         │ 0        │" in first.stdout

    again = runner.invoke(recruiters_app, ["import", str(SAMPLE), "--sample", *db])
    assert "│ 0        │ 0       │ 14        │ 0        │" in again.stdout

    found = runner.invoke(recruiters_app, ["search", "pt bintang samudera karya", *db])
    assert found.exit_code == 0, found.output
    assert "fictional sample" in found.stdout
    assert "Registry updated: 2026-10-01" in found.stdout
    assert "PT Bintang Samudra Karya (CONTOH)" in found.stdout
    assert "SIP3MI-T-0417" in found.stdout
    assert "2027-06-30" in found.stdout

    assert "One letter away (did you mean?)" in found.stdout
    assert "Found" not in found.stdout

    exact = runner.invoke(recruiters_app, ["search", " sip3mi-t-0417", *db])
    assert "Found: same licence number" in exact.stdout
    same = runner.invoke(recruiters_app, ["search", "P.T. Bintang Samudra Karya", *db])
    assert "Found: same name" in same.stdout
    lookalike = runner.invoke(recruiters_app, ["search", "Bintang Samudra Jaya", *db])
    assert "No company with exactly this name." in lookalike.stdout
    assert "Similar names (other companies)" in lookalike.stdout

    nothing = runner.invoke(recruiters_app, ["search", "toko roti", *db])
    assert "No matching recruiter." in nothing.stdout


def test_cli_lists_rejected_rows(cli: tuple[CliRunner, list[str]]) -> None:
    runner, db = cli
    result = runner.invoke(recruiters_app, ["import", str(DATA / "registry_bad_rows.csv"), *db])

    assert result.exit_code == 0, result.output
    assert "Rejected rows" in result.stdout
    assert "unknown status 'frozen'" in result.stdout
    assert "│ 2        │ 0       │ 0         │ 9        │" in result.stdout


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("registry_missing_columns.csv", "missing column(s): source, updated_at"),
        ("registry_latin1.csv", "not UTF-8 text"),
        ("registry_garbage.csv", "not UTF-8 text"),
    ],
)
def test_cli_refuses_a_malformed_file_with_exit_code_1(
    cli: tuple[CliRunner, list[str]], fixture: str, message: str
) -> None:
    runner, db = cli
    result = runner.invoke(recruiters_app, ["import", str(DATA / fixture), *db])

    assert result.exit_code == 1
    assert "Not imported:" in result.stderr
    assert message in result.stderr
    listed = runner.invoke(recruiters_app, ["search", "bintang samudra karya", *db])
    assert "No matching recruiter." in listed.stdout


def test_cli_reports_a_missing_file(cli: tuple[CliRunner, list[str]], tmp_path: Path) -> None:
    runner, db = cli
    result = runner.invoke(recruiters_app, ["import", str(tmp_path / "nope.csv"), *db])

    assert result.exit_code == 2
