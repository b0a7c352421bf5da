"""Possible duplicates: tickets sharing a phone number, a passport number, a recruiter, or the
name of a missing person.

Those values are encrypted at rest, so they cannot be compared in SQL. Each ticket gets a few
match keys instead: an HMAC of the normalised value under the console's secret (a blind index;
without the secret the keys say nothing). Tickets are indexed as the console meets them, a
batch at a time, and all again when the secret changes."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import unicodedata
from collections.abc import Iterator

from sqlmodel import Session

from storage.desk import DeskRepository
from storage.recruiter_search import normalise_name
from storage.tables import TicketRow

BATCH = 500
KINDS = ("phone", "passport", "recruiter", "missing_name")
_NOT_WORD = re.compile(r"[^\w]+")


def phone_key(text: str) -> str | None:
    """Digits only; a national 0 becomes Indonesia's 62, a 00 prefix is dropped."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if digits.startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = "62" + digits[1:]
    return digits if len(digits) >= 7 else None


def passport_key(text: str) -> str | None:
    key = "".join(ch for ch in text.upper() if ch.isalnum())
    return key if len(key) >= 6 else None


def name_key(text: str) -> str | None:
    """Case, accents, punctuation and spacing do not matter."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    words = " ".join(_NOT_WORD.sub(" ", folded).split())
    return words if len(words) >= 3 else None


def values(ticket: TicketRow) -> Iterator[tuple[str, str]]:
    """(kind, normalised value) of what the ticket holds."""
    try:
        details = json.loads(ticket.details or "{}")
    except ValueError:
        details = {}
    if not isinstance(details, dict):
        details = {}
    if ticket.contact_phone and (key := phone_key(ticket.contact_phone)):
        yield "phone", key
    if (passport := details.get("passport_number")) and (key := passport_key(str(passport))):
        yield "passport", key
    licence = details.get("recruiter_license")
    if licence and (key := passport_key(str(licence))):
        yield "recruiter", "licence:" + key
    for field in ("recruiter_name", "recruiter"):
        # Normalised as the registry search does: "PT", punctuation and case do not matter.
        company = normalise_name(str(details.get(field) or ""))
        if len(company) >= 3:
            yield "recruiter", "name:" + company
    if ticket.category == "missing" and ticket.victim_name and (key := name_key(ticket.victim_name)):
        yield "missing_name", key


def digest(secret: bytes, kind: str, value: str) -> str:
    return hmac.new(secret, f"{kind}\x00{value}".encode(), hashlib.sha256).hexdigest()


def index_new(session: Session, secret: bytes, key_id: str, limit: int = BATCH) -> int:
    """Index up to ``limit`` tickets not yet indexed under this secret; how many were."""
    desk = DeskRepository(session)
    desk.forget_other_keys(key_id)
    tickets = desk.unindexed(key_id, limit)
    for ticket in tickets:
        assert ticket.id is not None
        desk.index(ticket.id, {(kind, digest(secret, kind, value)) for kind, value in values(ticket)}, key_id)
    return len(tickets)


def candidates(session: Session, secret: bytes, key_id: str, ticket_id: int) -> dict[int, list[str]]:
    """Other tickets sharing a key with this one: ticket id -> the kinds shared."""
    while index_new(session, secret, key_id) == BATCH:
        pass
    found: dict[int, list[str]] = {}
    for other, kind in DeskRepository(session).sharing_keys(ticket_id, key_id):
        if kind not in found.setdefault(other, []):
            found[other].append(kind)
    return found
