"""Routing and priority rules (SPEC section 3). The table is data (``data/routing.json``); this module
parses it and applies it, so changing who owns what never needs a code change."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flows.ticket_rules import PRIORITIES, higher

AGENCIES = ("kp2mi", "ppa-ppo")


class RoutingError(ValueError):
    """The routing data file is inconsistent; raised at load time, never in a conversation."""


@dataclass(frozen=True)
class Rule:
    owner: str
    copied: tuple[str, ...]
    priority: str
    copy_when_trafficking_or_minor: tuple[str, ...] = ()


@dataclass(frozen=True)
class Possible:
    """What an answer such as "not sure" adds: copies (never the owner) and a priority floor."""

    copied: tuple[str, ...]
    priority: str


@dataclass(frozen=True)
class RoutingTable:
    rules: Mapping[str, Rule]
    default: Rule
    minor: Rule  # owner/copies for any ticket whose victim is under 18
    # Answers that are a possible yes ("not sure"): someone unsure whether a victim is under 18 or
    # whether there were trafficking signs must not be routed as if they had said "no".
    possible_answers: frozenset[str] = frozenset()
    possible_minor: Possible = Possible((), "normal")
    possible_trafficking: Possible = Possible((), "normal")

    def reading(self, answer: object) -> str:
        """The reading of a stored yes/no/not-sure answer: "yes", "possible" or "no"."""
        if answer == "yes":
            return "yes"
        return "possible" if answer in self.possible_answers else "no"

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> RoutingTable:
        def rule(name: str, item: Mapping[str, Any], default_priority: str = "normal") -> Rule:
            owner = item.get("owner")
            copied = tuple(item.get("copied", ()))
            extra = tuple(item.get("copy_when_trafficking_or_minor", ()))
            priority = item.get("priority", default_priority)
            for agency in (owner, *copied, *extra):
                if agency not in AGENCIES:
                    raise RoutingError(f"{name}: unknown agency {agency!r}")
            if priority not in PRIORITIES:
                raise RoutingError(f"{name}: unknown priority {priority!r}")
            if owner in copied:
                raise RoutingError(f"{name}: owner {owner!r} is also copied")
            return Rule(str(owner), copied, str(priority), extra)

        def possible(name: str, item: Mapping[str, Any]) -> Possible:
            copied = tuple(item.get("copied", ()))
            for agency in copied:
                if agency not in AGENCIES:
                    raise RoutingError(f"possible_yes.{name}: unknown agency {agency!r}")
            priority = item.get("priority", "normal")
            if priority not in PRIORITIES:
                raise RoutingError(f"possible_yes.{name}: unknown priority {priority!r}")
            return Possible(copied, str(priority))

        try:
            rules = {name: rule(name, item) for name, item in raw["categories"].items()}
            maybe = raw["possible_yes"]
            return cls(
                rules,
                rule("default", raw["default"]),
                rule("minor", raw["minor"]),
                frozenset(str(a) for a in maybe["answers"]),
                possible("minor", maybe["minor"]),
                possible("trafficking_signs", maybe["trafficking_signs"]),
            )
        except KeyError as exc:
            raise RoutingError(f"missing key {exc}") from exc


@dataclass(frozen=True)
class Routed:
    owner: str
    copied: tuple[str, ...]
    priority: str


def route(
    table: RoutingTable,
    category: str,
    *,
    minor: bool = False,
    danger_now: bool = False,
    trafficking_signs: bool = False,
    possible_minor: bool = False,
    possible_trafficking: bool = False,
) -> Routed:
    """Owner, copies and priority of a ticket. Danger now or a minor at risk makes it urgent; a victim
    under 18 always goes to Polri PPA-PPO with a copy to KP2MI. A possible minor or possible
    trafficking signs ("not sure") add the table's copies and raise the priority to its floor."""
    base = table.rules.get(category, table.default)
    owner, copied = base.owner, list(base.copied)
    if trafficking_signs or minor:
        copied += [a for a in base.copy_when_trafficking_or_minor if a not in copied]
    if minor:
        owner = table.minor.owner
        copied = [a for a in (*copied, *table.minor.copied) if a != owner]
    priority = "urgent" if danger_now or minor else base.priority
    if trafficking_signs:
        priority = higher(priority, "high")
    for maybe, extra in (
        (possible_minor and not minor, table.possible_minor),
        (possible_trafficking and not trafficking_signs, table.possible_trafficking),
    ):
        if maybe:
            copied += extra.copied
            priority = higher(priority, extra.priority)
    unique = tuple(dict.fromkeys(a for a in copied if a != owner))
    return Routed(owner, unique, priority)
