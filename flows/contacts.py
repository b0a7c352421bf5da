"""Emergency numbers and official channels, parsed from ``data/contacts.json``.

Every entry in the data file carries its source and whether it was verified; the engine shows only
what the file holds and never makes a number up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SERVICES = (
    "police",
    "ambulance",
    "emergency",
    "foreign_worker_hotline",
    "immigration",
    "tourist_police",
    "polri",
    "kp2mi_tollfree",
    "kp2mi_abroad",
    "kp2mi_whatsapp",
    "kemnaker",
    "lapor",
    "kp2mi_registry",
)


class ContactsError(ValueError):
    """The contacts data file is malformed; raised at load time."""


@dataclass(frozen=True)
class Number:
    service: str
    number: str
    source: str
    verified: bool = False


@dataclass(frozen=True)
class Mission:
    name: str
    phone: str
    source: str
    verified: bool = False


@dataclass(frozen=True)
class CountryContacts:
    code: str
    emergency: tuple[Number, ...]
    missions: tuple[Mission, ...] = ()


@dataclass(frozen=True)
class Contacts:
    national: tuple[Number, ...]
    countries: Mapping[str, CountryContacts]

    def for_country(self, code: str | None) -> CountryContacts | None:
        return self.countries.get(code or "")

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Contacts:
        def number(item: Mapping[str, Any]) -> Number:
            if item.get("service") not in SERVICES:
                raise ContactsError(f"unknown service {item.get('service')!r}")
            if not item.get("number") or not item.get("source"):
                raise ContactsError(f"{item.get('service')}: number and source are required")
            return Number(item["service"], item["number"], item["source"], bool(item.get("verified")))

        try:
            national = tuple(number(i) for i in raw["national"])
            countries = {
                code: CountryContacts(
                    code,
                    tuple(number(i) for i in entry.get("emergency", ())),
                    tuple(
                        Mission(m["name"], m["phone"], m["source"], bool(m.get("verified")))
                        for m in entry.get("missions", ())
                    ),
                )
                for code, entry in raw["countries"].items()
            }
        except (KeyError, TypeError) as exc:
            raise ContactsError(f"malformed contacts file: {exc}") from exc
        return cls(national, countries)
