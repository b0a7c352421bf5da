"""What the engine answers: replies with buttons that carry stable choice ids, never labels."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from flows.text import Text


class Urgency(IntEnum):
    """Outbound priority: lower goes first when Telegram's rate limit is the bottleneck."""

    EMERGENCY = 0
    URGENT = 1
    STAFF_HIGH = 2
    NORMAL = 3


@dataclass(frozen=True)
class Button:
    """An inline button. ``data`` is the callback payload (at most 64 bytes); ``label`` is translated."""

    data: str
    label: Text


@dataclass(frozen=True)
class Reply:
    """One message to the person who wrote. ``lines`` are joined with newlines when rendered."""

    lines: tuple[Text, ...]
    buttons: tuple[tuple[Button, ...], ...] = ()
    urgency: Urgency = Urgency.NORMAL
    ticket_ref: str | None = None
