"""A card longer than Telegram's 4,096 characters is several messages, and an edit of it updates
every one in place, in order: more pieces are sent after the last, pieces no longer needed show
a note and are used again when the card grows (bot/delivery/sender.py, CardEdit). Through the
service (Notices.cards, Helpline.queue), the sender and the links it records (bot/links.py), on
SQLite and PostgreSQL, with a transport that plays Telegram in memory."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlmodel import col, select

from bot.delivery.limiter import Limits, RateLimiter
from bot.delivery.sender import OutboxSender
from bot.delivery.split import split_text, visible_text
from bot.delivery.transport import Buttons, Rejected, Transient
from bot.links import card_pieces
from bot.outgoing import Outgoing
from bot.service import Helpline
from storage.tables import LinkRow, OutboxRow, TicketRow
from storage.uow import UnitOfWork
from tests.support.service import OFFICER, PPA_CHAT, WORKER, Person, add_officer, file_report, onboard

FAST = Limits(overall=(1000, 1.0), private_burst=50, private_per_second=50.0, group_chat=(100, 60.0))
LONG_EMPLOYER = " ".join(f"cabang{i}" for i in range(900))  # about 7,000 characters: 2 more pieces


@dataclass
class Telegram:
    """Messages by chat, as members see them now; ``fail`` maps a text's start to an error
    raised once, the first time a text starting so is sent or written by an edit."""

    chats: dict[int, dict[int, tuple[str, Buttons]]] = field(default_factory=dict)
    fail: dict[str, Exception] = field(default_factory=dict)
    calls: list[tuple[str, int, str]] = field(default_factory=list)
    next_id: int = 100

    def _maybe_fail(self, text: str) -> None:
        for start, error in list(self.fail.items()):
            if text.startswith(start):
                del self.fail[start]
                raise error

    async def send_text(self, chat_id: int, text: str, *, reply_to: int | None, buttons: Buttons) -> int:
        self._maybe_fail(text)
        self.next_id += 1
        self.chats.setdefault(chat_id, {})[self.next_id] = (text, buttons)
        self.calls.append(("send", self.next_id, text))
        return self.next_id

    async def edit_text(self, chat_id: int, message_id: int, text: str, *, buttons: Buttons) -> None:
        messages = self.chats.get(chat_id, {})
        if message_id not in messages:
            raise Rejected("Bad Request: message to edit not found")
        if messages[message_id] == (text, buttons):
            raise Rejected("Bad Request: message is not modified")
        self._maybe_fail(text)
        messages[message_id] = (text, buttons)
        self.calls.append(("edit", message_id, text))

    async def delete_messages(self, chat_id: int, message_ids: list[int]) -> None:
        for message_id in message_ids:
            self.chats.get(chat_id, {}).pop(message_id, None)

    def shown(self, chat_id: int) -> list[tuple[int, str, bool]]:
        return [
            (i, text, bool(buttons)) for i, (text, buttons) in sorted(self.chats.get(chat_id, {}).items())
        ]


def sender_for(helpline: Helpline, telegram: Telegram) -> OutboxSender:
    return OutboxSender(telegram, helpline.db, RateLimiter(FAST), base_backoff=0.0)


async def drain(sender: OutboxSender, helpline: Helpline) -> None:
    for _ in range(50):
        await sender.drain_once()
        sender._deferred.clear()  # a retry's wait, in this process's clock, is over at once
        with UnitOfWork(helpline.db) as uow:
            if not uow.outbox.pending_count():
                return
            # ... and in the database's: what waits for a retry is due now.
            for row in uow.session.exec(select(OutboxRow).where(col(OutboxRow.sent_at).is_(None))):
                row.not_before = row.created_at
                uow.session.add(row)
            uow.commit()
    raise AssertionError("the outbox did not drain")


def set_employer(helpline: Helpline, ref: str, employer: str) -> None:
    """What makes a card long (the card shows the employer whole)."""
    with UnitOfWork(helpline.db) as uow:
        ticket = uow.session.exec(select(TicketRow).where(TicketRow.ref == ref)).one()
        details = json.loads(ticket.details or "{}")
        ticket.details = json.dumps({**details, "employer": employer})
        uow.session.add(ticket)
        uow.commit()


def queued_card(helpline: Helpline, ref: str) -> str:
    """The card's whole text as the service renders it now, for the owner's chat."""
    with UnitOfWork(helpline.db) as uow:
        ticket = uow.session.exec(select(TicketRow).where(TicketRow.ref == ref)).one()
        [card] = helpline.notices.cards(uow, ticket, edit=True, only=ticket.owner)
    return card.text


def links(helpline: Helpline, chat_id: int) -> list[tuple[int, str]]:
    with UnitOfWork(helpline.db) as uow:
        rows = uow.session.exec(
            select(LinkRow).where(LinkRow.chat_id == chat_id).order_by(col(LinkRow.message_id))
        )
        return [(row.message_id, row.purpose) for row in rows]


def pieces_of(helpline: Helpline, ref: str) -> list[tuple[int, str]]:
    with UnitOfWork(helpline.db) as uow:
        return card_pieces(uow.session, PPA_CHAT, ref)


def ids_of(telegram: Telegram) -> list[int]:
    return [message_id for message_id, _, _ in telegram.shown(PPA_CHAT)]


def texts(telegram: Telegram) -> list[str]:
    return [text for _, text, _ in telegram.shown(PPA_CHAT)]


async def test_a_card_grows_and_shrinks_in_place_and_its_links_follow(helpline: Helpline) -> None:
    worker = Person(helpline, WORKER)
    onboard(worker)
    ref = file_report(worker)
    add_officer(helpline)
    telegram = Telegram()
    sender = sender_for(helpline, telegram)
    await drain(sender, helpline)
    [(first, _, _)] = telegram.shown(PPA_CHAT)

    # The card grows past one message: its first message is edited, the rest sent after it.
    set_employer(helpline, ref, LONG_EMPLOYER)
    helpline.staff_press(OFFICER, PPA_CHAT, f"s.take.{ref}")
    await drain(sender, helpline)
    whole = split_text(queued_card(helpline, ref))
    assert "Bripka A." in whole[-1] and len(whole) >= 3
    assert telegram.shown(PPA_CHAT) == [
        (message_id, text, index == len(whole) - 1)
        for index, (message_id, text) in enumerate(zip(ids_of(telegram), whole, strict=True))
    ]
    ids = ids_of(telegram)
    assert ids[0] == first
    assert pieces_of(helpline, ref) == [(ids[0], "card"), *((i, "card_more") for i in ids[1:])]
    # A reply to any piece finds the ticket.
    with UnitOfWork(helpline.db) as uow:
        assert [uow.links.find(PPA_CHAT, i) for i in ids] == [
            (ref, "card"),
            *[(ref, "card_more")] * (len(ids) - 1),
        ]
    # Every outbox row of the edit recorded its own piece.
    with UnitOfWork(helpline.db) as uow:
        updates = list(
            uow.session.exec(
                select(OutboxRow)
                .where(OutboxRow.kind == "card_update", OutboxRow.chat_id == PPA_CHAT)
                .order_by(col(OutboxRow.id))
            )
        )
    assert [row.telegram_message_id for row in updates] == ids

    # It shrinks to one message: the others show the note (in the staff's Indonesian).
    set_employer(helpline, ref, "PT Maju")
    _, out = helpline.staff_press(OFFICER, PPA_CHAT, f"s.resolve.{ref}")
    assert any(m.kind == "card_update" for m in out)
    await drain(sender, helpline)
    note = (
        f"({ref}: bagian kartu ini sudah tidak dipakai. Kartu lengkapnya ada di pesan-pesan kartu yang lain.)"
    )
    card = queued_card(helpline, ref)
    assert "Selesai" in card and len(split_text(card)) == 1
    assert telegram.shown(PPA_CHAT) == [(ids[0], card, True), *((i, note, False) for i in ids[1:])]
    assert pieces_of(helpline, ref) == [(ids[0], "card"), *((i, "card_spare") for i in ids[1:])]

    # It grows again: the spares are filled in place, no new message in the group.
    set_employer(helpline, ref, LONG_EMPLOYER)
    _, out = helpline.staff_press(OFFICER, PPA_CHAT, f"s.close.{ref}")
    assert any(m.kind == "card_update" for m in out)
    await drain(sender, helpline)
    whole = split_text(queued_card(helpline, ref))
    assert [text for _, text, _ in telegram.shown(PPA_CHAT)] == whole and ids_of(telegram) == ids
    assert pieces_of(helpline, ref) == [(ids[0], "card"), *((i, "card_more") for i in ids[1:])]


async def test_a_piece_that_fails_for_now_is_retried_alone(helpline: Helpline) -> None:
    """A network error on the second piece's edit and on the new third piece: each row is tried
    again alone, nothing is sent twice, and the card ends whole."""
    ref = "PMI-AAAA-BBBB"
    telegram = Telegram()
    sender = sender_for(helpline, telegram)
    v1 = "\n".join(f"v1 line {i} " + "x" * 90 for i in range(60))
    v2 = "\n".join(f"v2 line {i} " + "x" * 90 for i in range(100))
    with UnitOfWork(helpline.db) as uow:
        helpline.queue(uow, [Outgoing(PPA_CHAT, v1, (), 2, "card", ref, "card")], helpline.clock())
        uow.commit()
    await drain(sender, helpline)
    assert pieces_of(helpline, ref)[1][1] == "card_more"
    telegram.fail = {
        "v2 line 40 ": Transient("timed out", "TimedOut"),
        "v2 line 80 ": Transient("502 Bad Gateway", "BadGateway"),
    }
    edit = Outgoing(PPA_CHAT, v2, (), 2, "card_update", ref, "card", edit_card=True, card_note="(note)")
    with UnitOfWork(helpline.db) as uow:
        helpline.queue(uow, [edit], helpline.clock())
        uow.commit()
    await drain(sender, helpline)
    assert texts(telegram) == split_text(v2)
    assert [kind for kind, _, _ in telegram.calls] == ["send", "send", "edit", "edit", "send"]
    assert [visible_text(text).split(" ", 3)[:3] for _, _, text in telegram.calls[2:]] == [
        ["v2", "line", "0"],
        ["v2", "line", "40"],
        ["v2", "line", "80"],
    ]
    with UnitOfWork(helpline.db) as uow:
        rows = list(
            uow.session.exec(
                select(OutboxRow).where(OutboxRow.kind == "card_update").order_by(col(OutboxRow.id))
            )
        )
    assert [row.attempts for row in rows] == [0, 1, 1]
    assert [row.telegram_message_id for row in rows] == [i for i, _, _ in telegram.shown(PPA_CHAT)]


def test_an_edit_is_queued_as_one_row_per_piece_that_knows_its_place() -> None:
    text = "\n".join(f"line {i} " + "x" * 90 for i in range(100))
    buttons = ((("Ambil", "s.take.PMI-AAAA-BBBB"),),)
    edit = Outgoing(
        PPA_CHAT, text, buttons, 2, "card_update", "PMI-AAAA-BBBB", "card", edit_card=True, card_note="n"
    )
    pieces = edit.pieces()
    assert [p.text for p in pieces] == split_text(text)
    assert [(p.piece, p.piece_count) for p in pieces] == [(0, 3), (1, 3), (2, 3)]
    assert [p.buttons for p in pieces] == [(), (), buttons]
    for p in pieces:
        assert Outgoing.from_payload(p.chat_id, p.priority, p.kind, p.ticket_ref, p.payload()) == p
    # A new card's later pieces are linked as such; other messages keep their link.
    post = Outgoing(PPA_CHAT, text, buttons, 2, "card", "PMI-AAAA-BBBB", "card")
    assert [p.link for p in post.pieces()] == ["card", "card_more", "card_more"]
    notice = Outgoing(PPA_CHAT, text, kind="notice", ticket_ref="PMI-AAAA-BBBB", link="notice")
    assert [p.link for p in notice.pieces()] == ["notice"] * 3
    # An edit queued before edits were split: one row, piece 0 of 1, no note.
    old = {"text": text, "buttons": [], "link": "card", "reply_to_card": False, "edit_card": True}
    legacy = Outgoing.from_payload(PPA_CHAT, 2, "card_update", "PMI-AAAA-BBBB", old)
    assert (legacy.piece, legacy.piece_count, legacy.card_note) == (0, 1, "")
