"""Every message about a ticket, built in one place: its card in each agency chat that sees it,
notes under the card, and notices to the reporter (for the service, the care hooks and the
scheduler alike). Nothing here changes a ticket; each function returns the messages, and the
caller queues them in the same transaction as the change they tell of."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bot.i18n import renderer
from bot.outgoing import PRIORITY, Outgoing, render_reply
from flows import notices as texts
from flows import ticket_rules as rules
from flows.replies import Reply, Urgency
from flows.staff import card_buttons, card_lines, transfer_buttons
from flows.text import Msg, Text
from flows.ticket_facts import CardFacts, ThreadEntry, fact_lines, thread_lines
from storage.tables import TicketRow, UserRow
from storage.uow import UnitOfWork

# Staff chats read Indonesian.
STAFF_LANG = "id"


class Notices:
    """The messages about tickets, for the agencies' staff chats (``staff_chats``: agency ->
    chat id, only those configured) in the runtime's format."""

    def __init__(self, staff_chats: Mapping[str, int], fmt: str) -> None:
        self.staff_chats = dict(staff_chats)
        self.fmt = "plain" if fmt == "plain" else "html"

    def cards(
        self, uow: UnitOfWork, ticket: TicketRow, *, edit: bool, only: str | None = None
    ) -> list[Outgoing]:
        """The ticket's card for each agency chat that sees it (owner and copies), or only for
        ``only``'s chat; ``edit``: update the cards already posted instead of posting new ones."""
        copied = tuple(uow.tickets.copies(_tid(ticket)))
        facts = replace(
            card_facts(uow, ticket, copied),
            no_chat=tuple(a for a in (ticket.owner, *copied) if a not in self.staff_chats),
        )
        render = renderer(STAFF_LANG, self.fmt)  # type: ignore[arg-type]
        lines = tuple(card_lines(facts))
        urgency = (
            Urgency.URGENT
            if ticket.priority == "urgent"
            else Urgency.STAFF_HIGH
            if ticket.priority == "high"
            else Urgency.NORMAL
        )
        # What a piece of a long card shows once the card no longer needs it (it got shorter).
        note = render.text(texts.card_piece_unused(ticket.ref)) if edit else ""
        out = []
        for agency in (ticket.owner, *copied):
            chat = self.staff_chats.get(agency)
            if chat is None or (only is not None and agency != only):
                continue
            # Each chat's card carries the buttons its own agency may press (the ticket model's
            # answer for the owner or a copy), not the owner's for everyone. An edit rebuilds them
            # too, so a card whose agency lost the ticket (transferred away, it keeps a copy)
            # loses the owner's buttons with it (an edit without buttons removes the keyboard).
            actor = rules.relation(agency, ticket.owner, copied)
            reply = Reply(lines, card_buttons(facts, actor))
            rendered = render_reply(chat, reply, render, kind="card_update" if edit else "card", link="card")
            out.append(
                Outgoing(
                    chat,
                    rendered.text,
                    rendered.buttons,
                    PRIORITY[urgency],
                    rendered.kind,
                    ticket.ref,
                    "card",
                    edit_card=edit,
                    card_note=note,
                )
            )
        return out

    def to_staff(
        self, uow: UnitOfWork, ticket: TicketRow, text: Msg, exclude: str | None = None
    ) -> list[Outgoing]:
        """A note under the ticket's card in every agency chat that sees it (but ``exclude``'s)."""
        render = renderer(STAFF_LANG, self.fmt)  # type: ignore[arg-type]
        out = []
        for agency in (ticket.owner, *uow.tickets.copies(_tid(ticket))):
            chat = self.staff_chats.get(agency)
            if chat is not None and agency != exclude:
                out.append(
                    Outgoing(
                        chat,
                        render.lines((texts.heading(ticket.ref), text)),
                        kind="notice",
                        ticket_ref=ticket.ref,
                        reply_to_card=True,
                    )
                )
        return out

    def transfer_choices(self, ticket: TicketRow, chat: int, targets: tuple[str, ...]) -> list[Outgoing]:
        """Under the card in ``chat``: one button per agency the ticket may be transferred to."""
        render = renderer(STAFF_LANG, self.fmt)  # type: ignore[arg-type]
        reply = Reply((texts.transfer_question(ticket.ref),), transfer_buttons(ticket.ref, targets))
        rendered = render_reply(chat, reply, render, kind="notice")
        return [
            Outgoing(
                chat,
                rendered.text,
                rendered.buttons,
                kind="notice",
                ticket_ref=ticket.ref,
                reply_to_card=True,
            )
        ]

    def alarm_to_owner(self, ticket: TicketRow, text: Msg) -> list[Outgoing]:
        """An urgent note under the card in the owning agency's chat only."""
        chat = self.staff_chats.get(ticket.owner)
        if chat is None:
            return []
        render = renderer(STAFF_LANG, self.fmt)  # type: ignore[arg-type]
        return [
            Outgoing(
                chat,
                render.text(text),
                priority=PRIORITY[Urgency.URGENT],
                kind="notice",
                ticket_ref=ticket.ref,
                reply_to_card=True,
            )
        ]

    def to_reporter(
        self,
        uow: UnitOfWork,
        ticket: TicketRow,
        text: Any,
        link: str | None = None,
        *,
        discreet: Any = None,
    ) -> list[Outgoing]:
        """A notice to the reporter (a message, or a tuple of lines); none when they are gone.
        Never quotes the report: a watched phone must not reveal it. ``discreet`` is what a
        notice they did not ask for says unless they chose "I can read messages safely" in /menu:
        no agency, no police, nothing of the report."""
        user = _reporter(uow, ticket)
        if user is None:
            return []
        if discreet is not None and not user.reads_safely:
            text = discreet
        render = renderer(user.lang or ticket.lang, self.fmt)  # type: ignore[arg-type]
        rendered = render.lines(list(text)) if isinstance(text, tuple) else render.text(text)
        return [Outgoing(user.telegram_id, rendered, kind="notice", ticket_ref=ticket.ref, link=link)]

    def reply_to_reporter(
        self, uow: UnitOfWork, ticket: TicketRow, reply: Reply, *, discreet: Reply | None = None
    ) -> list[Outgoing]:
        """A notice with buttons to the reporter, as ``to_reporter``."""
        user = _reporter(uow, ticket)
        if user is None:
            return []
        if discreet is not None and not user.reads_safely:
            reply = discreet
        render = renderer(user.lang or ticket.lang, self.fmt)  # type: ignore[arg-type]
        return [render_reply(user.telegram_id, reply, render, kind="notice")]


def staff_text(msg: Any) -> str:
    """A short answer to an officer (a button's answer, a refusal), as plain text."""
    return renderer(STAFF_LANG, "plain").text(msg)


def whole_ticket_lines(uow: UnitOfWork, ticket: TicketRow) -> list[Text]:
    """Every fact of the ticket and its thread (``/lihat``, ``helpline tickets show``)."""
    facts = card_facts(uow, ticket, tuple(uow.tickets.copies(_tid(ticket))))
    thread = [ThreadEntry(m.author, m.text, m.created_at) for m in uow.tickets.thread(_tid(ticket))]
    return [*fact_lines(facts, whole=True), *thread_lines(thread, ticket.country)]


def card_facts(uow: UnitOfWork, ticket: TicketRow, copied: tuple[str, ...]) -> CardFacts:
    """What staff see of a stored ticket (decrypted by the session, never logged)."""
    taken_by = None
    if ticket.taken_by is not None:
        staff = next((s for s in uow.staff.list() if s.id == ticket.taken_by), None)
        taken_by = staff.name if staff else "?"
    return CardFacts(
        ref=ticket.ref,
        priority=ticket.priority,
        category=ticket.category,
        status=ticket.status,
        owner=ticket.owner,
        copied=copied,
        country=ticket.country,
        city=ticket.city,
        victim=ticket.victim,
        victim_minor=ticket.victim_minor,
        contact_method=ticket.contact_method,
        description=ticket.description,
        created_at=ticket.created_at,
        due_at=ticket.first_response_due,
        taken_by=taken_by,
        taken_at=ticket.taken_at,
        evidence_count=len(uow.tickets.evidence(_tid(ticket))),
        details=json.loads(ticket.details or "{}"),
        victim_name=ticket.victim_name,
        danger_now=ticket.danger_now,
        contact_phone=ticket.contact_phone,
        location=ticket.location,
        reporter_role=ticket.reporter_role,
    )


def _reporter(uow: UnitOfWork, ticket: TicketRow) -> UserRow | None:
    return uow.session.get(UserRow, ticket.reporter_user_id) if ticket.reporter_user_id else None


def _tid(ticket: TicketRow) -> int:
    assert ticket.id is not None
    return ticket.id
