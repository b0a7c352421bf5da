"""Messages ready to leave: rendered text, buttons and delivery hints, independent of the library.

They are stored in the outbox as JSON payloads (so a crash between the transaction and the send
loses nothing) and turned into Bot API calls by a Telegram adapter or printed by the terminal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flows.render import Renderer
from flows.replies import Reply, Urgency

# Outbox priority: lower goes first when Telegram's rate limit is the bottleneck.
PRIORITY = {
    Urgency.EMERGENCY: 0,
    Urgency.URGENT: 1,
    Urgency.STAFF_HIGH: 2,
    Urgency.NORMAL: 3,
}


@dataclass(frozen=True)
class Outgoing:
    chat_id: int
    text: str
    buttons: tuple[tuple[tuple[str, str], ...], ...] = ()  # rows of (label, callback data)
    priority: int = PRIORITY[Urgency.NORMAL]
    kind: str = "reply"  # one of storage.tables.OUTBOX_KINDS (delete_chat: /hapus, no text)
    ticket_ref: str | None = None
    link: str | None = None  # remember the sent message as this purpose for ticket_ref
    reply_to_card: bool = False  # thread it under this chat's card of ticket_ref
    edit_card: bool = False  # edit this chat's card of ticket_ref instead of sending anew
    ask_location: bool = False

    def payload(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "buttons": [[list(b) for b in row] for row in self.buttons],
            "link": self.link,
            "reply_to_card": self.reply_to_card,
            "edit_card": self.edit_card,
            "ask_location": self.ask_location,
        }

    @classmethod
    def from_payload(
        cls, chat_id: int, priority: int, kind: str, ticket_ref: str | None, payload: dict[str, Any]
    ) -> Outgoing:
        return cls(
            chat_id=chat_id,
            text=str(payload["text"]),
            buttons=tuple(tuple((str(b[0]), str(b[1])) for b in row) for row in payload.get("buttons", [])),
            priority=priority,
            kind=kind,
            ticket_ref=ticket_ref,
            link=payload.get("link"),
            reply_to_card=bool(payload.get("reply_to_card")),
            edit_card=bool(payload.get("edit_card")),
            ask_location=bool(payload.get("ask_location")),
        )


def render_reply(
    chat_id: int, reply: Reply, renderer: Renderer, *, kind: str = "reply", link: str | None = None
) -> Outgoing:
    return Outgoing(
        chat_id=chat_id,
        text=renderer.lines(reply.lines),
        buttons=tuple(tuple((renderer.text(b.label), b.data) for b in row) for row in reply.buttons),
        priority=PRIORITY[reply.urgency],
        kind="emergency" if reply.urgency is Urgency.EMERGENCY else kind,
        ticket_ref=reply.ticket_ref,
        link=link,
        ask_location=reply.ask_location,
    )
