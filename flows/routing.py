"""Routing and priority rules (SPEC section 3). The table is data (``data/routing.json``); this module
parses it and applies it, so changing who owns what never needs a code change."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

AGENCIES = ("kp2mi", "ppa-ppo")
PRIORITIES = ("urgent", "high", "normal")


class RoutingError(ValueError):
    """The routing data file is inconsistent; raised at load time, never in a conversation."""


@dataclass(frozen=True)
class Rule:
    owner: str
    copied: tuple[str, ...]
    priority: str
    copy_when_trafficking_or_minor: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoutingTable:
    rules: Mapping[str, Rule]
    default: Rule
    minor: Rule  # owner/copies for any ticket whose victim is under 18

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

        try:
            rules = {name: rule(name, item) for name, item in raw["categories"].items()}
            return cls(rules, rule("default", raw["default"]), rule("minor", raw["minor"]))
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
) -> Routed:
    """Owner, copies and priority of a ticket. Danger now or a minor at risk makes it urgent; a victim
    under 18 always goes to Polri PPA-PPO with a copy to KP2MI."""
    base = table.rules.get(category, table.default)
    owner, copied = base.owner, list(base.copied)
    if trafficking_signs or minor:
        copied += [a for a in base.copy_when_trafficking_or_minor if a not in copied]
    if minor:
        owner = table.minor.owner
        copied = [a for a in (*copied, *table.minor.copied) if a != owner]
    priority = "urgent" if danger_now or minor else base.priority
    if trafficking_signs and priority == "normal":
        priority = "high"
    unique = tuple(dict.fromkeys(a for a in copied if a != owner))
    return Routed(owner, unique, priority)
