"""Side effects leaving the engine, named in the past tense. Storage and adapters react to them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Evidence:
    """A file the reporter sent, kept as a Telegram file id with its metadata."""

    kind: str
    file_id: str
    mime_type: str | None = None
    size: int | None = None
    name: str | None = None


@dataclass(frozen=True)
class NewTicket:
    """Everything a new ticket holds when it is opened. ``details`` carries flow-specific fields
    (relation, last contact, employer, passport number, recruiter, ...) as strings."""

    ref: str
    kind: str  # report | assist | question
    category: str
    priority: str  # urgent | high | normal
    owner: str  # agency id: kp2mi | ppa-ppo
    copied: tuple[str, ...]
    lang: str
    created_at: datetime
    idempotency_key: str
    description: str = ""
    reporter_role: str | None = None
    victim: str = "self"  # self | other
    victim_name: str | None = None
    victim_minor: bool = False
    danger_now: bool = False
    country: str | None = None
    city: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    contact_method: str = "chat"  # chat | phone
    contact_phone: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class ConsentGiven:
    version: str
    lang: str
    at: datetime
    scope: str = "full"  # full | emergency (given by pressing "send as urgent report")


@dataclass(frozen=True)
class ConsentDeclined:
    at: datetime


@dataclass(frozen=True)
class LanguageChanged:
    lang: str


@dataclass(frozen=True)
class NoticesChosen:
    """The /menu notice setting: True for "I can read messages safely" (flows.notice_setting)."""

    reads_safely: bool


@dataclass(frozen=True)
class RoleChosen:
    role: str


@dataclass(frozen=True)
class TicketOpened:
    ticket: NewTicket


@dataclass(frozen=True)
class ReporterMessageAdded:
    """The reporter added information to one of their own tickets. ``danger`` marks words that
    signal immediate danger: the ticket becomes urgent."""

    ref: str
    text: str
    evidence: tuple[Evidence, ...] = ()
    at: datetime | None = None
    danger: bool = False


@dataclass(frozen=True)
class EmergencyShown:
    country: str | None
    at: datetime


@dataclass(frozen=True)
class DataErasureRequested:
    at: datetime


@dataclass(frozen=True)
class ChatDeletionRequested:
    """/hapus: delete the messages of the person's chat, theirs and the bot's, as far as Telegram
    allows (their data stays)."""

    at: datetime


@dataclass(frozen=True)
class CheckinChosen:
    """The reporter of an urgent ticket agreed to (or declined, or stopped) safety check-ins."""

    ref: str
    accepted: bool
    at: datetime


@dataclass(frozen=True)
class CheckinAnswered:
    """The reporter answered "all good?"; ``safe`` False is an alarm."""

    ref: str
    safe: bool
    at: datetime


@dataclass(frozen=True)
class SatisfactionGiven:
    """The one-tap "was this helpful?" after a ticket closed."""

    ref: str
    helpful: bool
    at: datetime


CareEvent = CheckinChosen | CheckinAnswered | SatisfactionGiven

Event = (
    ConsentGiven
    | ConsentDeclined
    | LanguageChanged
    | NoticesChosen
    | RoleChosen
    | TicketOpened
    | ReporterMessageAdded
    | EmergencyShown
    | DataErasureRequested
    | ChatDeletionRequested
    | CheckinChosen
    | CheckinAnswered
    | SatisfactionGiven
)
