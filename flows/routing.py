"""Routing and priority rules (SPEC section 3). The table is data (``data/routing.json``); this module
parses it and applies it, so changing who owns what never needs a code change. Agencies are named
by their codes in ``data/agencies.json``; a code the agencies file does not hold is refused at load.

Besides the category's rule, the minor and "not sure" rules, the table may hold conditional rules
(``when``): a ticket matching every condition given (categories, countries, recruiter statuses,
a minor, danger now) gets that rule's owner, copies and priority floor."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flows.agencies import Agencies
from flows.ticket_rules import PRIORITIES, higher


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
class When:
    """A conditional rule: every condition that is given must hold (None: not a condition)."""

    categories: frozenset[str] | None = None
    countries: frozenset[str] | None = None
    recruiter_statuses: frozenset[str] | None = None
    minor: bool | None = None
    danger_now: bool | None = None
    owner: str | None = None
    copied: tuple[str, ...] = ()
    priority: str = "normal"

    def holds(
        self, category: str, country: str | None, recruiter_status: str | None, minor: bool, danger_now: bool
    ) -> bool:
        return (
            (self.categories is None or category in self.categories)
            and (self.countries is None or (country or "") in self.countries)
            and (self.recruiter_statuses is None or (recruiter_status or "") in self.recruiter_statuses)
            and (self.minor is None or self.minor == minor)
            and (self.danger_now is None or self.danger_now == danger_now)
        )


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
    when: tuple[When, ...] = ()

    def reading(self, answer: object) -> str:
        """The reading of a stored yes/no/not-sure answer: "yes", "possible" or "no"."""
        if answer == "yes":
            return "yes"
        return "possible" if answer in self.possible_answers else "no"

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], agencies: Agencies) -> RoutingTable:
        """The table of a parsed ``routing.json``; ``agencies``: the configured agencies
        (``data/agencies.json``), the only ones a rule may name. The default rule's owner is
        the agencies file's ``default_owner`` unless the routing file names one (then they must
        agree)."""

        def known(name: str, codes: tuple[Any, ...]) -> None:
            for agency in codes:
                if agency not in agencies:
                    raise RoutingError(
                        f"{name}: unknown agency {agency!r} (agencies.json has {', '.join(agencies.codes)})"
                    )

        def rule(name: str, item: Mapping[str, Any], default_priority: str = "normal") -> Rule:
            owner = item.get("owner")
            copied = tuple(item.get("copied", ()))
            extra = tuple(item.get("copy_when_trafficking_or_minor", ()))
            priority = item.get("priority", default_priority)
            known(name, (owner, *copied, *extra))
            if priority not in PRIORITIES:
                raise RoutingError(f"{name}: unknown priority {priority!r}")
            if owner in copied:
                raise RoutingError(f"{name}: owner {owner!r} is also copied")
            return Rule(str(owner), copied, str(priority), extra)

        def possible(name: str, item: Mapping[str, Any]) -> Possible:
            copied = tuple(item.get("copied", ()))
            known(f"possible_yes.{name}", copied)
            priority = item.get("priority", "normal")
            if priority not in PRIORITIES:
                raise RoutingError(f"possible_yes.{name}: unknown priority {priority!r}")
            return Possible(copied, str(priority))

        def default(item: Mapping[str, Any]) -> Mapping[str, Any]:
            owner = item.get("owner", agencies.default_owner)
            if owner != agencies.default_owner:
                expected = agencies.default_owner
                raise RoutingError(
                    f"default: owner {owner!r} is not agencies.json's default_owner {expected!r}"
                )
            return {**item, "owner": owner}

        def when(index: int, item: Mapping[str, Any]) -> When:
            name = f"when[{index}]"
            unknown = set(item) - {"if", "owner", "copied", "priority", "note"}
            conditions = item.get("if") or {}
            unknown |= {
                f"if.{k}"
                for k in set(conditions) - {"category", "country", "recruiter_status", "minor", "danger_now"}
            }
            if unknown:
                raise RoutingError(f"{name}: unknown keys {sorted(unknown)}")
            owner = item.get("owner")
            copied = tuple(item.get("copied", ()))
            known(name, (*(() if owner is None else (owner,)), *copied))
            priority = item.get("priority", "normal")
            if priority not in PRIORITIES:
                raise RoutingError(f"{name}: unknown priority {priority!r}")

            def among(key: str) -> frozenset[str] | None:
                values = conditions.get(key)
                return None if values is None else frozenset(str(v) for v in values)

            def flag(key: str) -> bool | None:
                value = conditions.get(key)
                return None if value is None else bool(value)

            return When(
                among("category"),
                among("country"),
                among("recruiter_status"),
                flag("minor"),
                flag("danger_now"),
                None if owner is None else str(owner),
                copied,
                str(priority),
            )

        try:
            rules = {name: rule(name, item) for name, item in raw["categories"].items()}
            maybe = raw["possible_yes"]
            return cls(
                rules,
                rule("default", default(raw["default"])),
                rule("minor", raw["minor"]),
                frozenset(str(a) for a in maybe["answers"]),
                possible("minor", maybe["minor"]),
                possible("trafficking_signs", maybe["trafficking_signs"]),
                tuple(when(i, item) for i, item in enumerate(raw.get("when", ()))),
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
    country: str | None = None,
    recruiter_status: str | None = None,
) -> Routed:
    """Owner, copies and priority of a ticket. Danger now or a minor at risk makes it urgent; a victim
    under 18 always goes to Polri PPA-PPO with a copy to KP2MI. A possible minor or possible
    trafficking signs ("not sure") add the table's copies and raise the priority to its floor.
    Conditional rules that hold then set the owner, add copies and raise the priority."""
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
    for rule in table.when:
        if rule.holds(category, country, recruiter_status, minor, danger_now):
            if rule.owner is not None and rule.owner != owner:
                copied.append(owner)  # the agency it would have gone to still sees it
                owner = rule.owner
            copied += rule.copied
            priority = higher(priority, rule.priority)
    unique = tuple(dict.fromkeys(a for a in copied if a != owner))
    return Routed(owner, unique, priority)
