"""The shipped data files: contacts and routing parse, hold only sourced facts, and route as SPEC
section 3 says; the recruiter sample is fictional, marked as such, and imports cleanly."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, SQLModel, create_engine

from bot.agencies import shipped
from flows.contacts import Contacts
from flows.routing import Routed, RoutingTable, route
from flows.vocab import ASSIST_CATEGORIES, REPORT_CATEGORIES
from storage.recruiter_search import RegistryIndex
from storage.recruiter_table import RecruiterRow
from storage.registry import import_csv

DATA = Path(__file__).parents[1] / "data"

# Copied from shared/FACTS.md (which CI may not have): the only numbers the contacts file may use.
FACTS_NATIONAL = {
    "polri": "110",
    "kp2mi_tollfree": "0-800-1000",
    "kp2mi_abroad": "+62 21 2924 4800",
    "kp2mi_whatsapp": "0811-8080-141",
    "kemnaker": "1500630",
    "lapor": "lapor.go.id",
    # "The authoritative list of licensed placement companies (P3MI) ... is published by KP2MI's
    # SISKOP2MI system": where to check the official list; FACTS.md gives no address.
    "kp2mi_registry": "SISKOP2MI",
}
FACTS_COUNTRIES = {
    "MY": {"999"},
    "SG": {"999", "995"},
    "HK": {"999"},
    "TW": {"110", "119", "1955"},
    "SA": {"911"},
    "KR": {"112", "119", "1345"},
    "JP": {"110", "119"},
}
# FACTS.md names no emergency number for the online-scam-compound countries: they have none, the
# card says so, rather than carry a number the project cannot check (issue 11, item 4).
SCAM_COMPOUND_COUNTRIES = ("KH", "MM", "LA", "PH", "TH")
# FACTS.md: "as reported in the press in April 2025 (verify before production)".
UNVERIFIED = {"kp2mi_tollfree", "kp2mi_abroad", "kp2mi_whatsapp", "kemnaker", "lapor", "kp2mi_registry"}

AGENCIES = shipped()


def read_json(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def contacts() -> Contacts:
    return Contacts.from_dict(read_json("contacts.json"))


@pytest.fixture(scope="module")
def routing() -> RoutingTable:
    return RoutingTable.from_dict(read_json("routing.json"), AGENCIES)


# --- contacts ---------------------------------------------------------------------------------


def test_national_numbers_are_exactly_those_in_facts(contacts: Contacts) -> None:
    assert {n.service: n.number for n in contacts.national} == FACTS_NATIONAL
    assert len(contacts.national) == len(FACTS_NATIONAL)


def test_country_numbers_are_exactly_those_in_facts(contacts: Contacts) -> None:
    assert set(contacts.countries) == set(FACTS_COUNTRIES)
    for code, numbers in FACTS_COUNTRIES.items():
        assert {n.number for n in contacts.countries[code].emergency} == numbers, code
    for code in SCAM_COMPOUND_COUNTRIES:
        assert code not in contacts.countries, code  # no number rather than an unchecked one


def test_every_number_has_a_source_and_press_reports_are_unverified(contacts: Contacts) -> None:
    entries = [
        *contacts.national,
        *(n for code, c in contacts.countries.items() if code in FACTS_COUNTRIES for n in c.emergency),
    ]
    assert all(entry.source.startswith("FACTS.md: ") for entry in entries)
    assert {n.service for n in contacts.national if not n.verified} == UNVERIFIED
    assert all("verify before production" in n.source for n in contacts.national if not n.verified)


def test_no_mission_number_is_invented(contacts: Contacts) -> None:
    assert all(country.missions == () for country in contacts.countries.values())
    assert "official" in read_json("contacts.json")["_note"]


# --- routing ----------------------------------------------------------------------------------


def test_routing_cites_the_spec() -> None:
    assert read_json("routing.json")["source"].startswith("SPEC.md section 3")


def test_every_category_the_flows_offer_has_its_own_rule(routing: RoutingTable) -> None:
    offered = {option.id for option in (*REPORT_CATEGORIES, *ASSIST_CATEGORIES)}
    assert offered | {"question"} <= set(routing.rules)


@pytest.mark.parametrize("category", ["tppo", "violence", "held", "scam_compound"])
def test_crimes_against_the_person_go_to_polri(routing: RoutingTable, category: str) -> None:
    assert route(routing, category) == Routed("ppa-ppo", ("kp2mi",), "high")


@pytest.mark.parametrize("category", ["illegal_recruitment", "fake_documents"])
def test_recruitment_fraud_goes_to_kp2mi_copying_polri(routing: RoutingTable, category: str) -> None:
    copied = ("ppa-ppo", "imigrasi") if category == "fake_documents" else ("ppa-ppo",)
    assert route(routing, category) == Routed("kp2mi", copied, "normal")


def test_missing_relative(routing: RoutingTable) -> None:
    assert route(routing, "missing") == Routed("kp2mi", (), "high")
    assert route(routing, "missing", trafficking_signs=True) == Routed("kp2mi", ("ppa-ppo",), "high")
    assert route(routing, "missing", minor=True) == Routed("ppa-ppo", ("kp2mi",), "urgent")


@pytest.mark.parametrize("category", [option.id for option in ASSIST_CATEGORIES])
def test_post_placement_help_goes_to_kp2mi_alone(routing: RoutingTable, category: str) -> None:
    # Documents expired / overstay are the passport issues Imigrasi is copied on (MoU).
    copied = ("imigrasi",) if category == "assist.documents" else ()
    assert route(routing, category) == Routed("kp2mi", copied, "normal")


def test_danger_now_and_minors_are_urgent(routing: RoutingTable) -> None:
    assert route(routing, "assist.wages", danger_now=True) == Routed("kp2mi", (), "urgent")
    assert route(routing, "illegal_recruitment", minor=True) == Routed("ppa-ppo", ("kp2mi",), "urgent")


def test_questions_and_unknown_categories_go_to_kp2mi(routing: RoutingTable) -> None:
    assert route(routing, "question") == Routed("kp2mi", (), "normal")
    assert route(routing, "other") == Routed("kp2mi", (), "normal")
    assert route(routing, "not-a-category") == Routed("kp2mi", (), "normal")


# --- recruiter sample -------------------------------------------------------------------------


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine, tables=[RecruiterRow.__table__])  # type: ignore[attr-defined]
    with Session(engine) as session:
        yield session
    engine.dispose()


def sample_rows() -> list[dict[str, str]]:
    with (DATA / "recruiters.sample.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def test_every_sample_company_is_marked_fictional() -> None:
    rows = sample_rows()
    assert 12 <= len(rows) <= 15
    for row in rows:
        assert row["name"].endswith(" (CONTOH)"), row["name"]
        assert "bukan data resmi" in row["source"]
        assert "not official data" in row["source"]
        assert row["phone"].startswith("(contoh) ")
        assert row["address"].startswith("(contoh) ")
    assert {row["status"] for row in rows} == {"active", "suspended", "revoked", "expired"}


def test_the_sample_imports_without_rejections(session: Session) -> None:
    with (DATA / "recruiters.sample.csv").open(encoding="utf-8", newline="") as stream:
        summary = import_csv(session, stream, now=datetime(2026, 11, 2, tzinfo=UTC), is_sample=True)
    session.commit()

    assert summary.rejected == []
    assert summary.imported == len(sample_rows())
    answer = RegistryIndex.load(session).search("SIP3MI-T-0417")
    assert answer.is_sample
    assert answer.updated_at == date(2026, 10, 1)
    [documented] = answer.candidates
    assert documented.name == "PT Bintang Samudra Karya (CONTOH)"
    assert (documented.status, documented.valid_until) == ("active", date(2027, 6, 30))
    assert (documented.city, documented.province) == ("Malang", "Jawa Timur")


def test_agency_contact_lines_say_what_the_contacts_file_says() -> None:
    """The agencies' contact lines (data/agencies.json, shown by /info) repeat numbers of the
    national list (data/contacts.json, the emergency card): a number corrected in one file alone
    would show two numbers for one line. Each must be in the national list, with the same source
    and the same verified flag."""
    national = {n["number"]: n for n in read_json("contacts.json")["national"]}
    lines = [c for agency in read_json("agencies.json")["agencies"] for c in agency.get("contacts") or ()]
    assert lines
    for line in lines:
        assert line["value"] in national, line
        same = national[line["value"]]
        assert (line["source"], line["verified"]) == (same["source"], same["verified"]), line
