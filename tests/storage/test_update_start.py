"""The first statements of an update (storage/update_start.py), on SQLite and PostgreSQL: one
statement on PostgreSQL, the same outcome on both."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from storage.uow import UnitOfWork
from tests.storage.conftest import NOW

SENT = NOW - timedelta(seconds=3)


def test_a_first_update_creates_the_person_and_keeps_the_message_id(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        started = uow.start_update(42, 1001, NOW, (7, SENT))
        assert started is not None
        assert started.user.telegram_id == 42 and started.user.id is not None
        assert (started.state, started.version) == (None, 0)
        uow.conversations.save(started.user.id, {"flow": "menu"}, 0, NOW)
        uow.commit()
    with UnitOfWork(engine) as uow:
        again = uow.start_update(42, 1002, NOW, None)
        assert again is not None
        assert (again.user.id, again.state, again.version) == (started.user.id, {"flow": "menu"}, 1)
        assert uow.deletable.in_chat(42, SENT) == [7]


def test_a_redelivered_update_is_refused_and_its_message_id_not_kept(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        assert uow.start_update(42, 1001, NOW, (7, SENT)) is not None
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert uow.start_update(42, 1001, NOW, (8, SENT)) is None  # the caller rolls back
    with UnitOfWork(engine) as uow:
        assert uow.deletable.in_chat(42, SENT) == [7]
        # A rolled-back update stays unclaimed: handled when it comes again.
        assert uow.start_update(42, 1003, NOW, None) is not None
        uow.rollback()
    with UnitOfWork(engine) as uow:
        assert uow.start_update(42, 1003, NOW, None) is not None


def test_without_an_update_id_nothing_is_claimed(engine: Engine) -> None:
    for _ in range(2):
        with UnitOfWork(engine) as uow:
            started = uow.start_update(43, None, NOW, None)
            assert started is not None and started.user.telegram_id == 43
            uow.commit()
