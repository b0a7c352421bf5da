"""Messages ready to leave: rendered text, buttons and delivery hints, independent of the library.

They are stored in the outbox as JSON payloads (so a crash between the transaction and the send
loses nothing) and turned into Bot API calls by a Telegram adapter or printed by the terminal."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from bot.delivery.split import split_text
from bot.links import CARD, CARD_MORE
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
    # An edit of a card: which of the card's pieces this is, of how many (Outgoing.pieces), and
    # the note its pieces no longer needed show instead (bot/delivery/sender.py, CardEdit).
    piece: int = 0
    piece_count: int = 1
    card_note: str = ""

    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "text": self.text,
            "buttons": [[list(b) for b in row] for row in self.buttons],
            "link": self.link,
            "reply_to_card": self.reply_to_card,
            "edit_card": self.edit_card,
        }
        if self.edit_card:
            payload.update(piece=self.piece, piece_count=self.piece_count, note=self.card_note)
        return payload

    def pieces(self) -> list[Outgoing]:
        """The messages Telegram will get for this one, each within its 4,096 limit, in order.

        The bot splits here, before queueing (Helpline.queue), rather than when sending: each
        piece is then its own outbox row, sent once, retried alone after a failure (a 429 on
        piece 2 used to send piece 1 again) and recorded for /hapus as it is sent. The outbox
        orders a chat's rows by priority and id, and the pieces share a priority and are
        inserted together, so they go out in order; the per-chat claim keeps another sender
        from sending piece 2 before piece 1. The buttons go with the last piece, under the
        whole text; only the first is threaded under the card; every piece keeps the link, so
        a reply to any of them finds the ticket, but a card's later pieces are linked as such
        (bot/links.py). An edit of a card is split the same way, each piece knowing its place:
        the sender edits the card's piece of that place, or adds it after the last."""
        if self.kind == "delete_chat":
            return [self]
        texts = split_text(self.text)
        last = len(texts) - 1
        if self.edit_card:
            return [
                replace(
                    self,
                    text=text,
                    buttons=self.buttons if index == last else (),
                    piece=index,
                    piece_count=len(texts),
                )
                for index, text in enumerate(texts)
            ]
        if len(texts) == 1:
            return [self]
        return [
            replace(
                self,
                text=text,
                buttons=self.buttons if index == last else (),
                reply_to_card=self.reply_to_card and index == 0,
                link=CARD_MORE if self.link == CARD and index else self.link,
            )
            for index, text in enumerate(texts)
        ]

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
            # An edit queued before edits were split is one whole row: piece 0 of 1, no note.
            piece=int(payload.get("piece", 0)),
            piece_count=int(payload.get("piece_count", 1)),
            card_note=str(payload.get("note", "")),
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
    )
