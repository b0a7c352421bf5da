"""Routing and priority (SPEC section 3) applied by ``flows.routing.route`` to the shipped
``data/routing.json``, and the loader's refusal of inconsistent routing data."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from flows.routing import Routed, RoutingError, RoutingTable, route
from flows.vocab import ASSIST_CATEGORIES, REPORT_CATEGORIES
from tests.support.routing import AGENCIES, KP2MI, PPA, raw_fixture, table_fixture  # noqa: F401 - fixtures

IMIGRASI = "imigrasi"
# Fake documents and documents/passport help are copied to Imigrasi (KP2MI-Imigrasi MoU).
IMIGRASI_COPIED = ("fake_documents", "assist.documents")


def two(routed: Routed) -> Routed:
    """The routing between KP2MI and Polri PPA-PPO alone: as it was before Imigrasi joined."""
    return Routed(routed.owner, tuple(a for a in routed.copied if a in (KP2MI, PPA)), routed.priority)


# -- the SPEC table --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("category", "expected"),
    [
        # trafficking / forced labour, violence, held against will, online-scam compound
        ("tppo", Routed(PPA, (KP2MI,), "high")),
        ("violence", Routed(PPA, (KP2MI,), "high")),
        ("held", Routed(PPA, (KP2MI,), "high")),
        ("scam_compound", Routed(PPA, (KP2MI,), "high")),
        # illegal recruitment, fee fraud, fake documents
        ("illegal_recruitment", Routed(KP2MI, (PPA,), "normal")),
        ("fake_documents", Routed(KP2MI, (PPA,), "normal")),
        # missing relative: high, PPA-PPO copied only with trafficking signs or a minor
        ("missing", Routed(KP2MI, (), "high")),
        ("other", Routed(KP2MI, (), "normal")),
        ("question", Routed(KP2MI, (), "normal")),
    ],
)
def test_category_defaults(table: RoutingTable, category: str, expected: Routed) -> None:
    assert two(route(table, category)) == expected


@pytest.mark.parametrize("category", [o.id for o in ASSIST_CATEGORIES])
def test_post_placement_help_goes_to_kp2mi_only(table: RoutingTable, category: str) -> None:
    assert two(route(table, category)) == Routed(KP2MI, (), "normal")


def test_missing_with_trafficking_signs_copies_ppa_ppo(table: RoutingTable) -> None:
    assert route(table, "missing", trafficking_signs=True) == Routed(KP2MI, (PPA,), "high")


def test_missing_minor_goes_to_ppa_ppo_and_is_urgent(table: RoutingTable) -> None:
    assert route(table, "missing", minor=True) == Routed(PPA, (KP2MI,), "urgent")


ALL_CATEGORIES = [o.id for o in (*REPORT_CATEGORIES, *ASSIST_CATEGORIES)] + ["question"]


@pytest.mark.parametrize("category", ALL_CATEGORIES)
def test_any_ticket_with_a_victim_under_18_goes_to_ppa_ppo(table: RoutingTable, category: str) -> None:
    assert two(route(table, category, minor=True)) == Routed(PPA, (KP2MI,), "urgent")


@pytest.mark.parametrize("category", ALL_CATEGORIES)
@pytest.mark.parametrize("minor", [False, True])
@pytest.mark.parametrize("danger", [False, True])
@pytest.mark.parametrize("signs", [False, True])
def test_imigrasi_is_copied_on_fake_documents_and_passport_help_only(
    table: RoutingTable, category: str, minor: bool, danger: bool, signs: bool
) -> None:
    routed = route(table, category, minor=minor, danger_now=danger, trafficking_signs=signs)
    assert routed.owner != IMIGRASI
    assert (IMIGRASI in routed.copied) == (category in IMIGRASI_COPIED)


@pytest.mark.parametrize("category", ALL_CATEGORIES)
def test_danger_now_is_urgent_and_keeps_the_owner(table: RoutingTable, category: str) -> None:
    calm = route(table, category)
    danger = route(table, category, danger_now=True)
    assert danger == Routed(calm.owner, calm.copied, "urgent")


@pytest.mark.parametrize("category", ["other", "illegal_recruitment", "assist.wages"])
def test_trafficking_signs_raise_normal_to_high(table: RoutingTable, category: str) -> None:
    assert route(table, category, trafficking_signs=True).priority == "high"


@pytest.mark.parametrize("category", ALL_CATEGORIES)
@pytest.mark.parametrize("minor", [False, True])
@pytest.mark.parametrize("danger", [False, True])
@pytest.mark.parametrize("signs", [False, True])
def test_the_owner_is_never_copied_and_copies_are_unique(
    table: RoutingTable, category: str, minor: bool, danger: bool, signs: bool
) -> None:
    routed = route(table, category, minor=minor, danger_now=danger, trafficking_signs=signs)
    assert routed.owner not in routed.copied
    assert len(set(routed.copied)) == len(routed.copied)
    assert routed.priority in ("urgent", "high", "normal")


def test_an_unknown_category_uses_the_default(table: RoutingTable) -> None:
    assert route(table, "no-such-category") == Routed(KP2MI, (), "normal")


def test_every_category_of_the_flows_has_its_own_rule(table: RoutingTable) -> None:
    assert set(ALL_CATEGORIES) <= set(table.rules)


def test_the_urgent_report_category_goes_to_ppa_ppo(table: RoutingTable) -> None:
    assert route(table, "emergency", danger_now=True) == Routed(PPA, (KP2MI,), "urgent")


# -- the loader ------------------------------------------------------------------------------------
def broken(raw: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(raw)
    node = changed
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return changed


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("categories", "held", "owner"), "bnp2tki", "unknown agency"),
        (("categories", "held", "owner"), None, "unknown agency"),
        (("categories", "held", "copied"), ["interpol"], "unknown agency"),
        (("categories", "missing", "copy_when_trafficking_or_minor"), ["kbri"], "unknown agency"),
        (("default", "owner"), "KP2MI", "default_owner"),  # agencies.json names the default owner
        (("minor", "copied"), ["polri"], "unknown agency"),
        (("categories", "held", "priority"), "critical", "unknown priority"),
        (("categories", "other", "priority"), "Normal", "unknown priority"),
        (("minor", "priority"), "asap", "unknown priority"),
        (("categories", "held", "copied"), ["ppa-ppo"], "also copied"),
        (("default", "copied"), ["kp2mi"], "also copied"),
    ],
)
def test_inconsistent_routing_data_is_refused(
    raw: dict[str, Any], path: tuple[str, ...], value: Any, message: str
) -> None:
    with pytest.raises(RoutingError, match=message):
        RoutingTable.from_dict(broken(raw, path, value), AGENCIES)


@pytest.mark.parametrize("key", ["categories", "default", "minor", "possible_yes"])
def test_a_missing_section_is_refused(raw: dict[str, Any], key: str) -> None:
    changed = copy.deepcopy(raw)
    del changed[key]
    with pytest.raises(RoutingError, match="missing key"):
        RoutingTable.from_dict(changed, AGENCIES)


def test_a_rule_without_priority_is_normal() -> None:
    table = RoutingTable.from_dict(
        {
            "categories": {"x": {"owner": "kp2mi"}},
            "default": {"owner": "kp2mi"},
            "minor": {"owner": "ppa-ppo", "copied": ["kp2mi"]},
            "possible_yes": {"answers": [], "minor": {}, "trafficking_signs": {}},
        },
        AGENCIES,
    )
    assert table.rules["x"].priority == "normal"
    assert route(table, "x") == Routed(KP2MI, (), "normal")


def test_changing_the_data_changes_the_routing(raw: dict[str, Any]) -> None:
    """Who owns what is data, not code."""
    changed = broken(
        raw, ("categories", "fake_documents"), {"owner": "ppa-ppo", "copied": ["kp2mi"], "priority": "high"}
    )
    table = RoutingTable.from_dict(changed, AGENCIES)
    assert route(table, "fake_documents") == Routed(PPA, (KP2MI,), "high")
