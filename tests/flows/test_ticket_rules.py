"""The ticket model, every status x action x actor (and with or without an officer on it).

The expected outcomes are written out here a second time, independently of the model's table, so
that a change to the table is a deliberate change to this list too."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from flows import staff
from flows import ticket_rules as rules
from flows.staff import CardFacts, card_buttons
from flows.ticket_rules import (
    ACTORS,
    CLOSED,
    COPIED,
    OPEN,
    OUTSIDER,
    OWNER,
    REPORTER,
    RESOLVED,
    STATUSES,
    SYSTEM,
    TAKEN,
    WAITING,
)

O, T, W, R, C = OPEN, TAKEN, WAITING, RESOLVED, CLOSED  # noqa: E741
# action -> (who, {status: (next status when nobody has it, next status when an officer has it)});
# a status not listed: refused from there. None: refused in that case only.
EXPECTED: dict[str, tuple[set[str], dict[str, tuple[str | None, str | None]]]] = {
    "take": ({OWNER}, {O: (T, None), W: (T, None)}),
    "assign": ({OWNER}, {O: (T, T), T: (T, T), W: (W, W)}),
    "transfer": ({OWNER}, {O: (O, O), T: (O, O), W: (O, O), R: (O, O)}),
    "resolve": ({OWNER}, {O: (R, R), T: (R, R), W: (R, R)}),
    "close": ({OWNER}, {O: (C, C), T: (C, C), W: (C, C), R: (C, C)}),
    "merge": ({OWNER}, {O: (C, C), T: (C, C), W: (C, C), R: (C, C)}),
    "reopen": ({OWNER}, {C: (O, T)}),
    "reply": ({OWNER, COPIED}, {O: (W, W), T: (W, W), W: (W, W), R: (R, R), C: (C, C)}),
    "view": ({OWNER, COPIED}, {s: (s, s) for s in STATUSES}),
    "reporter_wrote": ({REPORTER}, {O: (O, O), T: (T, T), W: (O, T), R: (R, R), C: (C, C)}),
    "alarm": ({REPORTER, SYSTEM}, {s: (s, s) for s in STATUSES}),
    "autoclose": ({SYSTEM}, {R: (C, C)}),
    "erase": ({REPORTER}, {O: (C, C), T: (C, C), W: (C, C), R: (C, C), C: (C, C)}),
}


def test_the_expected_list_covers_every_action() -> None:
    assert set(EXPECTED) == set(rules.ACTIONS)


@pytest.mark.parametrize(
    ("action", "status", "actor", "taken"),
    list(itertools.product(EXPECTED, STATUSES, ACTORS, (False, True))),
)
def test_every_status_action_and_actor(action: str, status: str, actor: str, taken: bool) -> None:
    who, moves = EXPECTED[action]
    expected = moves.get(status, (None, None))[taken] if actor in who else None
    assert rules.decide(action, actor, status, taken=taken) == expected
    assert rules.may(action, actor) is (actor in who)
    assert rules.next_status(action, status, taken=taken) == moves.get(status, (None, None))[taken]


@pytest.mark.parametrize("action", list(EXPECTED))
def test_sources_are_the_statuses_an_action_is_allowed_from(action: str) -> None:
    assert set(rules.sources(action)) == set(EXPECTED[action][1])


def test_an_unknown_action_is_refused_everywhere() -> None:
    for status, actor in itertools.product(STATUSES, ACTORS):
        assert rules.decide("delete", actor, status) is None
    assert rules.sources("delete") == ()
    assert not rules.may("delete", OWNER)


def test_relation_of_an_agency_to_a_ticket() -> None:
    assert rules.relation("kp2mi", "kp2mi", ("ppa-ppo",)) == OWNER
    assert rules.relation("ppa-ppo", "kp2mi", ("ppa-ppo",)) == COPIED
    assert rules.relation("imigrasi", "kp2mi", ("ppa-ppo",)) == OUTSIDER
    assert rules.relation(None, "kp2mi", ()) == OUTSIDER


def test_staff_actions_are_the_agencies_ones() -> None:
    assert set(rules.STAFF_ACTIONS) == {a for a, (who, _) in EXPECTED.items() if who & {OWNER, COPIED}}
    assert set(rules.STATUS_ACTIONS) <= set(rules.STAFF_ACTIONS)


def test_handing_over_to_the_same_holder_or_owner_changes_nothing() -> None:
    assert not rules.assign_changes(7, 7)
    assert rules.assign_changes(None, 7)
    assert rules.assign_changes(3, 7)
    assert not rules.transfer_changes("kp2mi", "kp2mi")
    assert rules.transfer_changes("kp2mi", "ppa-ppo")


@pytest.mark.parametrize("status", STATUSES)
def test_a_merge_keeps_only_a_ticket_still_followed(status: str) -> None:
    assert rules.may_merge_into(status) is (status != CLOSED)


@pytest.mark.parametrize("status", STATUSES)
def test_care_questions_by_status(status: str) -> None:
    assert rules.awaits_reporter(status) is (status == WAITING)
    assert rules.checkins_run(status) is (status in (O, T, W))
    for taken, answered in itertools.product((False, True), repeat=2):
        expected = status == OPEN and not taken and not answered
        assert rules.awaits_first_response(status, taken=taken, answered=answered) is expected


def test_priorities() -> None:
    assert rules.higher("normal", "high") == "high"
    assert rules.higher("urgent", "high") == "urgent"
    assert rules.higher("normal", "normal") == "normal"
    assert rules.raised("normal") == "urgent"
    assert rules.raised("high") == "urgent"
    assert rules.raised("urgent") is None


def test_first_response_due_counts_from_creation() -> None:
    created = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    sla = {"urgent": timedelta(hours=1), "high": timedelta(hours=4), "normal": timedelta(days=1)}
    assert rules.first_response_due(created, "high", sla) == created + timedelta(hours=4)
    assert rules.first_response_due(created, "normal", sla) == created + timedelta(days=1)


# -- the staff card's buttons ------------------------------------------------------------------
def _card(status: str, *, taken: bool) -> CardFacts:
    at = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    taken_by, taken_at = ("Sari", at) if taken else (None, None)
    return CardFacts(
        "PMI-AAAA-0001", "high", "salary", status, "kp2mi", (), "MY", None, "self", False, "chat",
        "", at, None, taken_by=taken_by, taken_at=taken_at,
    )  # fmt: skip


@pytest.mark.parametrize("status", rules.STATUSES)
@pytest.mark.parametrize("taken", [False, True])
@pytest.mark.parametrize("actor", [OWNER, COPIED, OUTSIDER])
def test_a_cards_buttons_are_exactly_the_readers_allowed_card_actions(
    status: str, taken: bool, actor: str
) -> None:
    card = _card(status, taken=taken)
    shown = [b.data for row in card_buttons(card, actor) for b in row]
    allowed = [a for a in staff.ACTIONS if rules.decide(a, actor, status, taken=taken) is not None]
    # Every button carries the format a press is read in, for this ticket.
    parsed = [staff.parse_action(data) for data in shown]
    assert all(p is not None and p[1] == card.ref and p[2] is None for p in parsed)
    actions = [p[0] for p in parsed if p is not None]
    assert sorted(actions) == sorted(allowed)
    assert len(actions) == len(set(actions))  # one button per action


def test_every_card_action_has_a_label_a_place_and_a_rule() -> None:
    placed = [a for row in staff.BUTTON_ROWS for a in row]
    assert sorted(placed) == sorted(staff.ACTIONS) == sorted(staff.BUTTON_LABELS)
    assert all(a in rules.RULES for a in staff.ACTIONS)


def test_a_taken_ticket_offers_no_take_and_a_resolved_one_may_still_move() -> None:
    def owner(status: str, *, taken: bool) -> tuple[tuple[str, ...], ...]:
        return staff.card_actions(_card(status, taken=taken), OWNER)

    assert owner("open", taken=False) == (("take", "transfer", "close"), ("resolve",))
    assert owner("taken", taken=True) == (("transfer", "close"), ("resolve",))
    assert owner("resolved", taken=True) == (("transfer", "close"),)
    assert owner("closed", taken=False) == (("reopen",),)


@pytest.mark.parametrize("status", rules.STATUSES)
@pytest.mark.parametrize("taken", [False, True])
def test_a_copy_of_the_card_shows_none_of_the_owners_actions(status: str, taken: bool) -> None:
    # A copied agency reads and answers (by replying to the card, /lihat): no card action is its.
    assert staff.card_actions(_card(status, taken=taken), COPIED) == ()
