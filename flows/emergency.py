"""Danger words that interrupt any flow, and the emergency card built from the contacts data."""

from __future__ import annotations

import re
import unicodedata

from flows.contacts import Contacts
from flows.text import M, Msg, Text
from flows.vocab import country_label

# Words that signal immediate danger. "tolong" (please / help) is deliberately absent: it starts
# many polite requests and only counts alongside one of these.
TRIGGERS: tuple[str, ...] = (
    "darurat",
    "sos",
    "disekap",
    "dikurung",
    "dikunci",
    "dipukul",
    "dipukuli",
    "disiksa",
    "dianiaya",
    "diperkosa",
    "diculik",
    "bunuh diri",
    "help me",
    "trapped",
    "locked",
    "beaten",
    "raped",
    "kidnapped",
    "kill myself",
    "suicide",
    "emergency",
)
_NON_LETTERS = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return " " + _NON_LETTERS.sub(" ", plain).strip() + " "


def danger_words(text: str) -> tuple[str, ...]:
    """The trigger words found in ``text``, as whole words or phrases, in a stable order."""
    norm = normalise(text[:4000])
    return tuple(t for t in TRIGGERS if f" {t} " in norm)


_SERVICE_LABELS: dict[str, Msg] = {
    "police": M("Police"),
    "ambulance": M("Ambulance"),
    "emergency": M("Emergency"),
    "foreign_worker_hotline": M("Foreign worker hotline"),
    "immigration": M("Immigration / foreign residents"),
    "polri": M("Polri (in Indonesia)"),
    "kp2mi_tollfree": M("KP2MI toll-free (from Indonesia)"),
    "kp2mi_abroad": M("KP2MI (from abroad)"),
    "kp2mi_whatsapp": M("KP2MI WhatsApp"),
    "kemnaker": M("Kemnaker call centre"),
    "lapor": M("LAPOR! complaints portal"),
}
_CARD_NATIONAL = ("kp2mi_abroad", "kp2mi_whatsapp", "kp2mi_tollfree", "polri")


def card_lines(contacts: Contacts, country: str | None) -> list[Text]:
    """The numbers to show first: the local emergency services of the person's country, then
    KP2MI's crisis channels and Polri, then the Indonesian mission there when one is configured."""
    lines: list[Text] = [M("<b>If you are in danger now:</b>")]
    local = contacts.for_country(country)
    name = country_label(country)
    if local is not None and name is not None:
        for num in local.emergency:
            lines.append(
                M(
                    "• {service} {country}: {number}",
                    service=_SERVICE_LABELS[num.service],
                    country=name,
                    number=num.number,
                )
            )
    for service in _CARD_NATIONAL:
        for num in contacts.national:
            if num.service == service:
                lines.append(M("• {service}: {number}", service=_SERVICE_LABELS[service], number=num.number))
    if local is not None:
        for mission in local.missions:
            lines.append(M("• {mission}: {number}", mission=mission.name, number=mission.phone))
    if country is None:
        lines.append(M("Tell us the country you are in to see its local emergency number."))
    return lines


def service_label(service: str) -> Msg:
    return _SERVICE_LABELS.get(service, M("Emergency"))
