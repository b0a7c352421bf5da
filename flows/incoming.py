"""What a person can send the engine: one incoming message, already stripped of transport details."""

from __future__ import annotations

from dataclasses import dataclass

from flows.events import Evidence


@dataclass(frozen=True)
class TextIn:
    """Free text. ``reply_to_ref`` is the ticket reference of an agency message the user replied to."""

    text: str
    reply_to_ref: str | None = None


@dataclass(frozen=True)
class ChoiceIn:
    """A button press. ``data`` is the callback data exactly as the button carried it."""

    data: str


@dataclass(frozen=True)
class CommandIn:
    """A slash command, lower-cased, without the slash or a ``@botname`` suffix."""

    name: str
    args: str = ""


@dataclass(frozen=True)
class LocationIn:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class ContactIn:
    phone: str


@dataclass(frozen=True)
class AttachmentIn:
    """A photo, document, voice note or video kept by reference (Telegram file id), never downloaded."""

    kind: str  # photo | document | voice | video | audio
    file_id: str
    mime_type: str | None = None
    size: int | None = None
    name: str | None = None
    caption: str = ""  # words sent with the file: part of the story, never dropped

    def as_evidence(self) -> Evidence:
        return Evidence(self.kind, self.file_id, self.mime_type, self.size, self.name)


Incoming = TextIn | ChoiceIn | CommandIn | LocationIn | ContactIn | AttachmentIn
