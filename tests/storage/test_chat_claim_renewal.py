"""A chat claim is short and renewed while its sender sends: a process that dies mid-round
frees its chats within seconds, so a restarted bot answers at once instead of after the minute
the old message lease lasted (tests/e2e/test_family_and_safety.py kills the bot mid-conversation)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from bot.delivery.sender import CHAT_CLAIM
from storage.uow import UnitOfWork
from tests.storage.conftest import NOW


def _queue(engine: Engine, chat: int) -> int:
    with UnitOfWork(engine) as uow:
        row = uow.outbox.enqueue(chat, {"text": "x"}, 5, NOW)
        uow.commit()
    assert row is not None and row.id is not None
    return row.id


def _claim(engine: Engine, owner: str, now: timedelta = timedelta(0)) -> list[int]:
    # As the sender claims: message lease and chat claim both CHAT_CLAIM long (renewed while
    # the round runs), so a dead sender's messages and its chats come free together.
    at = NOW + now
    with UnitOfWork(engine) as uow:
        rows = uow.outbox.claim(at, 10, at + CHAT_CLAIM, (), owner, at + CHAT_CLAIM)
        uow.commit()
    return [row.id for row in rows]


def test_a_dead_senders_chat_is_free_when_its_short_claim_ends(engine: Engine) -> None:
    sent = _queue(engine, 1)
    assert _claim(engine, "dead") == [sent]
    later = _queue(engine, 1)
    assert _claim(engine, "new", timedelta(seconds=5)) == []
    # Ten seconds, not a minute: the dead sender's message first (it may have gone out already:
    # at-least-once), then the next one, in order.
    assert _claim(engine, "new", timedelta(seconds=10)) == [sent, later]


def test_renewal_keeps_a_running_round_claimed(engine: Engine) -> None:
    first = _queue(engine, 1)
    assert _claim(engine, "a") == [first]
    other = _queue(engine, 1)
    with UnitOfWork(engine) as uow:
        uow.outbox.renew_chats("a", [1], NOW + timedelta(seconds=18))
        uow.commit()
    assert _claim(engine, "b", timedelta(seconds=12)) == []
    # A died after its last renewal: B takes the chat from its first message on.
    assert _claim(engine, "b", timedelta(seconds=18)) == [first, other]


def test_renewal_never_shortens_a_hold_for_a_retry(engine: Engine) -> None:
    first = _queue(engine, 1)
    assert _claim(engine, "a") == [first]
    retry_at = NOW + timedelta(seconds=30)
    with UnitOfWork(engine) as uow:
        uow.outbox.retry_later(first, retry_at, "429")
        uow.outbox.hold_chat("a", 1, retry_at)
        uow.outbox.renew_chats("a", [1], NOW + timedelta(seconds=10))
        uow.commit()
    assert _claim(engine, "b", timedelta(seconds=20)) == []
    assert _claim(engine, "b", timedelta(seconds=30)) == [first]
