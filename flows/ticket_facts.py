"""Every fact a ticket holds, as staff read it. One renderer for the three places an officer reads a
ticket: the staff card (``whole=False``: the story and the notes shortened, only the warning
red-flag answers) and ``/lihat`` and ``helpline tickets show`` (``whole=True``: everything, and the
thread with each message's time in WIB and in the local time of the ticket's country).

The facts come from the ticket's columns and its ``details`` (``flows.tickets.DETAIL_FIELDS``);
nothing here reads storage, so the caller decrypts and nothing personal reaches a log."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from flows.agencies import is_agency
from flows.care import DEFAULT_ZONE, zone_of
from flows.recruiter_facts import RISK_NAMES, company_text, red_flag_lines
from flows.recruiter_facts import card_lines as recruiter_card_lines
from flows.text import LocalTime, M, Msg, Text
from flows.vocab import agency_name, country_label

SUMMARY_CHARS = 300
ANSWERS: dict[str, Msg] = {"yes": M("yes"), "no": M("no"), "unsure": M("not sure")}
# An answer that may mean harm ("not sure" is a possible yes, as in routing) gets the warning mark.
WARNS = ("yes", "unsure")
# Who the reporter said they are at the start (flows/onboarding.py ROLES), as staff read it.
ROLE_NAMES: dict[str, Msg] = {
    "worker": M("worker abroad"),
    "family": M("family member of a worker"),
    "prospective": M("planning to work abroad"),
}


@dataclass(frozen=True)
class CardFacts:
    """What staff see of a ticket; built by the caller from the stored (decrypted) ticket."""

    ref: str
    priority: str
    category: str
    status: str
    owner: str
    copied: tuple[str, ...]
    country: str | None
    city: str | None
    victim: str
    victim_minor: bool
    contact_method: str
    description: str
    created_at: datetime
    due_at: datetime | None
    taken_by: str | None = None
    taken_at: datetime | None = None
    evidence_count: int = 0
    details: Mapping[str, str] = field(default_factory=dict)  # NewTicket.details
    victim_name: str | None = None
    danger_now: bool = False
    contact_phone: str | None = None
    location: str | None = None  # "lat,lon"
    # Agencies that see the ticket but have no staff chat configured: they get no card, and the
    # cards of the others say so (an optional chat, such as Imigrasi's).
    no_chat: tuple[str, ...] = ()
    reporter_role: str | None = None  # the onboarding answer: worker | family | prospective


@dataclass(frozen=True)
class ThreadEntry:
    author: str  # reporter | system | an agency code (data/agencies.json)
    text: str
    at: datetime


def fact_lines(card: CardFacts, *, whole: bool) -> list[Text]:
    """The facts of a ticket, one per line, in the order an officer needs them."""
    details = card.details
    lines: list[Text] = [_where_who_contact(card)]
    if card.location:
        lines.append(M("📍 Shared location: {location}", location=card.location))
    if card.danger_now:
        lines.append(M("🚨 In danger right now"))
    if card.victim_name:
        relation = details.get("victim_relation")
        lines.append(
            M("Victim: {name} ({relation})", name=card.victim_name, relation=relation)
            if relation
            else M("Victim: {name}", name=card.victim_name)
        )
    minor = details.get("victim_minor") or ("yes" if card.victim_minor else "")
    if minor == "yes":
        lines.append(M("⚠️ Victim under 18"))
    elif minor in ANSWERS:
        lines.append(_marked(M("Under 18: {answer}", answer=ANSWERS[minor]), minor))
    if details.get("last_contact"):
        lines.append(M("Last contact: {value}", value=details["last_contact"]))
    if details.get("employer"):
        lines.append(M("Employer / agency: {value}", value=details["employer"]))
    if details.get("passport_number"):
        lines.append(M("Passport number: {value}", value=details["passport_number"]))
    signs = details.get("trafficking_signs", "")
    if signs in ANSWERS:
        lines.append(_marked(M("Signs of trafficking: {answer}", answer=ANSWERS[signs]), signs))
    lines += _recruiter(details, whole=whole)
    if details.get("emergency_words"):
        lines.append(M("Danger words: {words}", words=details["emergency_words"].replace("\n", ", ")))
    place = country_label(details.get("emergency_country"))
    if place is not None:
        lines.append(M("Country named in the danger words (not asked): {country}", country=place))
    if card.description:
        lines.append(M('"{text}"', text=card.description if whole else _short(card.description)))
    notes = [n for n in details.get("notes", "").splitlines() if n.strip()]
    if notes:
        said = " / ".join(notes)
        lines.append(M("Also written: {notes}", notes=said if whole else _short(said)))
    return lines


def thread_lines(entries: Iterable[ThreadEntry], country: str | None) -> list[Text]:
    """Each message with its time in WIB and, abroad, the clock where the ticket's country is."""
    zone = zone_of(country).key
    lines: list[Text] = []
    for entry in entries:
        if not entry.text:
            continue
        author = author_label(entry.author)
        if zone == DEFAULT_ZONE:
            lines.append(M("[{at}] {author}: {text}", at=entry.at, author=author, text=entry.text))
        else:
            local = LocalTime(entry.at, zone)
            lines.append(
                M(
                    "[{at} · {local} local time] {author}: {text}",
                    at=entry.at,
                    local=local,
                    author=author,
                    text=entry.text,
                )
            )
    return lines


def author_label(author: str) -> Msg:
    """Who wrote a message of a ticket's thread, as staff read it (never the stored id)."""
    if is_agency(author):
        return M("Officer {agency}", agency=agency_name(author))
    if author == "reporter":
        return M("Reporter")
    return M("Automatic message")


def _where_who_contact(card: CardFacts) -> Msg:
    country: Text | None = country_label(card.country)
    if card.country == "other" and card.details.get("country_other"):
        country = card.details["country_other"]
    reporter = M("reporter: the victim") if card.victim == "self" else M("reporter: someone else")
    if card.reporter_role in ROLE_NAMES:
        reporter = M("{reporter} ({role})", reporter=reporter, role=ROLE_NAMES[card.reporter_role])
    if card.contact_method != "phone":
        contact = M("contact: bot chat")
    elif card.contact_phone:
        contact = M("contact: phone {number}", number=card.contact_phone)
    else:
        contact = M("contact: phone")
    return M(
        "{place} · {reporter} · {contact}",
        place=_place(country, card.city),
        reporter=reporter,
        contact=contact,
    )


def _recruiter(details: Mapping[str, str], *, whole: bool) -> list[Text]:
    if not whole:
        lines = recruiter_card_lines(details)
    else:
        company = company_text(details)
        lines = [M("Recruiter: {company}", company=company)] if company is not None else []
        if details.get("red_flag_risk") in RISK_NAMES:
            lines.append(M("Red-flag check: {risk}", risk=RISK_NAMES[details["red_flag_risk"]]))
        lines += red_flag_lines(details.get("red_flags", ""))
    if not details.get("recruiter_name") and details.get("recruiter"):
        # Saved before the recruiter's facts were kept apart: the one line as it was.
        lines.insert(0, M("Recruiter: {company}", company=details["recruiter"]))
    return lines


def _marked(line: Msg, answer: str) -> Text:
    return M("⚠️ {line}", line=line) if answer in WARNS else line


def _short(text: str) -> str:
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


def _place(country: Text | None, city: str | None) -> Text:
    if country is not None and city:
        return M("{country}, {city}", country=country, city=city)
    return country or city or M("place unknown")
