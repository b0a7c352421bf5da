"""Issue 11 item 7: "not sure" is a possible yes in routing and priority, never a no. A possible
minor is copied to Polri PPA-PPO and at least high; possible trafficking signs likewise. The rule is
data (``data/routing.json`` "possible_yes"); these tests hold the shipped file to it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from flows.routing import PRIORITIES, RoutingError, RoutingTable, route
from flows.vocab import ASSIST_CATEGORIES, REPORT_CATEGORIES
from tests.support.routing import AGENCIES, KP2MI, PPA, raw_fixture, table_fixture  # noqa: F401 - fixtures
from tests.support.steps import missing_until_summary, onboarded, only_ticket

ALL_CATEGORIES = [o.id for o in (*REPORT_CATEGORIES, *ASSIST_CATEGORIES)] + ["question", "emergency"]


def at_least_high(priority: str) -> bool:
    return PRIORITIES.index(priority) <= PRIORITIES.index("high")


def test_not_sure_reads_as_a_possible_yes(table: RoutingTable) -> None:
    assert [table.reading(a) for a in ("yes", "unsure", "no", None, "")] == [
        "yes",
        "possible",
        "no",
        "no",
        "no",
    ]


@pytest.mark.parametrize("category", ALL_CATEGORIES)
def test_a_possible_minor_is_copied_to_ppa_ppo_and_at_least_high(table: RoutingTable, category: str) -> None:
    calm = route(table, category)
    routed = route(table, category, possible_minor=True)
    assert routed.owner == calm.owner  # nobody said the victim is a child: the owner stays
    assert PPA in (routed.owner, *routed.copied)
    assert at_least_high(routed.priority)
    assert set(calm.copied) <= set(routed.copied)


@pytest.mark.parametrize("category", ALL_CATEGORIES)
def test_possible_trafficking_signs_count_as_signs(table: RoutingTable, category: str) -> None:
    signs = route(table, category, trafficking_signs=True)
    maybe = route(table, category, possible_trafficking=True)
    assert PPA in (maybe.owner, *maybe.copied)
    assert at_least_high(maybe.priority)
    assert set(signs.copied) <= set(maybe.copied)


@pytest.mark.parametrize("category", ALL_CATEGORIES)
def test_not_sure_never_lowers_what_a_yes_or_danger_gives(table: RoutingTable, category: str) -> None:
    assert route(table, category, minor=True, possible_minor=True) == route(table, category, minor=True)
    danger = route(table, category, danger_now=True, possible_minor=True, possible_trafficking=True)
    assert danger.priority == "urgent"
    assert danger.owner not in danger.copied


def test_the_rule_is_data(raw: dict[str, Any]) -> None:
    """Take "unsure" out of the possible answers and it routes as a no again."""
    changed = copy.deepcopy(raw)
    changed["possible_yes"]["answers"] = []
    assert RoutingTable.from_dict(changed, AGENCIES).reading("unsure") == "no"


@pytest.mark.parametrize(
    ("section", "value", "message"),
    [
        ("minor", {"copied": ["polri"]}, "unknown agency"),
        ("trafficking_signs", {"priority": "asap"}, "unknown priority"),
    ],
)
def test_inconsistent_possible_yes_data_is_refused(
    raw: dict[str, Any], section: str, value: dict[str, Any], message: str
) -> None:
    changed = copy.deepcopy(raw)
    changed["possible_yes"][section] = value
    with pytest.raises(RoutingError, match=message):
        RoutingTable.from_dict(changed, AGENCIES)


# -- through the conversation ------------------------------------------------------------------
def test_the_17_year_old_with_an_agent_of_a_revoked_company() -> None:
    """The issue's example: an aunt not sure whether her niece is 18 yet. It was a KP2MI-only
    normal ticket; now Polri PPA-PPO is copied and it is at least high."""
    chat = onboarded("id", "family")
    chat.command("/lapor")
    chat.press("other")
    chat.press("no")
    chat.press("other")
    chat.say("Wulan")
    chat.say("keponakan")
    chat.press("unsure")
    chat.press("MY")
    chat.say("Johor")
    chat.say("Dia pergi dengan agen PT Mercusuar Kertas Abadi, izinnya sudah dicabut.")
    chat.press("skip")
    chat.press("chat")
    chat.press("send")
    ticket = only_ticket(chat)
    assert ticket.owner == KP2MI
    assert PPA in ticket.copied
    assert at_least_high(ticket.priority)
    assert ticket.details["victim_minor"] == "unsure"


def test_a_missing_relative_who_may_be_a_minor() -> None:
    chat = onboarded("en", "family")
    missing_until_summary(chat, minor="unsure")
    chat.press("send")
    ticket = only_ticket(chat)
    assert (ticket.owner, ticket.copied, ticket.priority) == (KP2MI, (PPA,), "high")


def test_a_missing_relative_with_possible_trafficking_signs() -> None:
    chat = onboarded("en", "family")
    missing_until_summary(chat, signs="unsure")
    chat.press("send")
    ticket = only_ticket(chat)
    assert (ticket.owner, ticket.copied, ticket.priority) == (KP2MI, (PPA,), "high")
    assert ticket.details["trafficking_signs"] == "unsure"
