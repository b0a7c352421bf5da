"""A long message is queued as one outbox row per piece (Outgoing.pieces, Helpline.queue): each
piece is sent once, retried alone after a failure and recorded for /hapus as it goes out. On
SQLite and PostgreSQL, with a transport that plays Telegram in memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlmodel import col, select

from bot.delivery.limiter import Limits, RateLimiter
from bot.delivery.sender import OutboxSender
from bot.delivery.split import LIMIT, split_text, utf16_len, visible_text
from bot.delivery.transport import Buttons, FloodWait, Transient
from bot.outgoing import Outgoing
from bot.service import Helpline
from storage.tables import OutboxRow, load_json
from storage.uow import UnitOfWork

PERSON = 4401
GROUP = -1002
FAST = Limits(private_burst=50, private_per_second=50.0)
# About 9,800 characters with entities and an emoji (two UTF-16 units) on every line: 3 pieces.
LONG = "\n".join(f"baris {i} &amp; 🙏 " + "x" * 85 for i in range(100))
BUTTONS = ((("OK", "g.ok"),),)


@dataclass
class Telegram:
    """Sends succeed with increasing message ids; ``fail`` maps a piece's start to an error
    raised once, the first time that piece is sent."""

    fail: dict[str, Exception] = field(default_factory=dict)
    sent: list[tuple[int, int, str, int | None, Buttons]] = field(default_factory=list)
    tried: list[str] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)

    async def send_text(self, chat_id: int, text: str, *, reply_to: int | None, buttons: Buttons) -> int:
        self.tried.append(text)
        for start, error in list(self.fail.items()):
            if text.startswith(start):
                del self.fail[start]
                raise error
        message_id = len(self.sent) + 1
        self.sent.append((chat_id, message_id, text, reply_to, buttons))
        return message_id

    async def edit_text(self, chat_id: int, message_id: int, text: str, *, buttons: Buttons) -> None:
        raise AssertionError("no edits here")

    async def delete_messages(self, chat_id: int, message_ids: list[int]) -> None:
        self.deleted += message_ids


class Clock:
    """The sender's clock, moved on by hand past a retry."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def outbox(helpline: Helpline) -> list[OutboxRow]:
    with UnitOfWork(helpline.db) as uow:
        return list(uow.session.exec(select(OutboxRow).order_by(col(OutboxRow.id))))


def queue(helpline: Helpline, *messages: Outgoing) -> None:
    with UnitOfWork(helpline.db) as uow:
        helpline.queue(uow, list(messages), datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
        uow.commit()


def test_pieces_keep_order_buttons_on_the_last_and_the_thread_on_the_first() -> None:
    message = Outgoing(GROUP, LONG, BUTTONS, 2, "notice", "PMI-AAAA-BBBB", "notice", reply_to_card=True)
    pieces = message.pieces()
    assert [p.text for p in pieces] == split_text(LONG) and len(pieces) == 3
    assert all(utf16_len(visible_text(p.text)) <= LIMIT for p in pieces)
    assert [p.buttons for p in pieces] == [(), (), BUTTONS]
    assert [p.reply_to_card for p in pieces] == [True, False, False]
    assert {(p.chat_id, p.priority, p.kind, p.ticket_ref, p.link) for p in pieces} == {
        (GROUP, 2, "notice", "PMI-AAAA-BBBB", "notice")
    }
    assert Outgoing(PERSON, "pendek", BUTTONS).pieces() == [Outgoing(PERSON, "pendek", BUTTONS)]
    # An edit of a card is split too, each piece knowing its place (tests/service/test_card_pieces.py);
    # a deletion has no text.
    edit = Outgoing(GROUP, LONG, BUTTONS, 2, "card_update", "PMI-AAAA-BBBB", "card", edit_card=True)
    assert [(p.text, p.piece, p.piece_count) for p in edit.pieces()] == [
        (t, i, 3) for i, t in enumerate(split_text(LONG))
    ]
    clear = Outgoing(PERSON, "", kind="delete_chat")
    assert clear.pieces() == [clear]


def test_a_long_message_is_queued_as_one_row_per_piece(helpline: Helpline) -> None:
    queue(helpline, Outgoing(PERSON, "sebelum"), Outgoing(PERSON, LONG, BUTTONS), Outgoing(PERSON, "sesudah"))
    rows = outbox(helpline)
    texts = [load_json(r.payload)["text"] for r in rows]
    assert texts == ["sebelum", *split_text(LONG), "sesudah"]
    assert [bool(load_json(r.payload)["buttons"]) for r in rows] == [False, False, False, True, False]
    assert len({r.priority for r in rows}) == 1


async def test_a_failed_piece_is_retried_alone_and_every_piece_can_be_deleted(helpline: Helpline) -> None:
    pieces = split_text(LONG)
    telegram = Telegram(fail={pieces[1][:40]: Transient("502 Bad Gateway", "BadGateway")})
    clock = Clock()
    sender = OutboxSender(telegram, helpline.db, RateLimiter(FAST), clock=clock, base_backoff=1.0)
    queue(helpline, Outgoing(PERSON, LONG, BUTTONS), Outgoing(PERSON, "sesudah"))
    assert await sender.drain_once() == 1  # piece 1; piece 2 failed, the rest waits behind it
    assert telegram.tried == pieces[:2]
    # Nothing later in the chat overtakes the failed piece, in this sender or another.
    assert await sender.drain_once() == 0
    clock.now += timedelta(seconds=2)
    sender._deferred.clear()  # the retry's wait, in this process's own clock, is over too
    assert await sender.drain_once() == 3
    assert telegram.tried == [pieces[0], pieces[1], *pieces[1:], "sesudah"]
    assert [text for _, _, text, _, _ in telegram.sent] == [*pieces, "sesudah"]  # each once
    assert [buttons for _, _, _, _, buttons in telegram.sent] == [(), (), BUTTONS, ()]
    rows = outbox(helpline)
    assert all(r.sent_at is not None for r in rows)
    assert [r.attempts for r in rows] == [0, 1, 0, 0]
    assert [r.telegram_message_id for r in rows] == [1, 2, 3, 4]
    with UnitOfWork(helpline.db) as uow:
        assert uow.deletable.in_chat(PERSON, clock.now - timedelta(hours=1)) == [4, 3, 2, 1]

    queue(helpline, Outgoing(PERSON, "", priority=1, kind="delete_chat"))
    await sender.drain_once()
    assert telegram.deleted == [4, 3, 2, 1]


async def test_a_flood_wait_on_a_piece_holds_only_that_piece(helpline: Helpline) -> None:
    pieces = split_text(LONG)
    telegram = Telegram(fail={pieces[2][:40]: FloodWait("429 Too Many Requests", 1.0)})
    clock = Clock()
    sender = OutboxSender(telegram, helpline.db, RateLimiter(FAST), clock=clock)
    queue(helpline, Outgoing(PERSON, LONG, BUTTONS))
    assert await sender.drain_once() == 2
    clock.now += timedelta(seconds=2)
    sender._deferred.clear()
    sender.limiter = RateLimiter(FAST)  # the 429's pause is over
    assert await sender.drain_once() == 1
    assert telegram.tried == [*pieces, pieces[2]]
    assert [text for _, _, text, _, _ in telegram.sent] == pieces
