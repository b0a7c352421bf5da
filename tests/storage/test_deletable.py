"""The ids /hapus deletes: kept per private chat for Telegram's 48 hours, forgotten when deleted,
pruned, erased with the person; and migration 0004 carrying over what the outbox knew."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import Engine, inspect
from sqlmodel import select

from storage.db import alembic_config, migrate
from storage.deletable import DELETABLE_FOR
from storage.tables import DeletableMessageRow
from storage.uow import UnitOfWork
from tests.storage.conftest import NOW, drop_everything

PERSON, OTHER = 42, 43


def test_ids_per_chat_newest_first_within_the_window(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        uow.deletable.add(PERSON, [1, 2, 3], NOW - timedelta(hours=50))
        uow.deletable.add(PERSON, [10, 12, 11], NOW - timedelta(hours=1))
        uow.deletable.add(PERSON, [12], NOW)  # recorded twice: asked for once
        uow.deletable.add(OTHER, [13], NOW)
        uow.deletable.add(PERSON, [], NOW)
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert uow.deletable.in_chat(PERSON, NOW - DELETABLE_FOR) == [12, 11, 10]
        assert uow.deletable.in_chat(PERSON, NOW - timedelta(days=3)) == [12, 11, 10, 3, 2, 1]
        uow.deletable.forget(PERSON, [12, 10])
        uow.deletable.prune(NOW)  # 1-3 are too old to delete
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert uow.deletable.in_chat(PERSON, NOW - timedelta(days=3)) == [11]
        assert uow.deletable.in_chat(OTHER, NOW - timedelta(days=3)) == [13]
        uow.deletable.forget(OTHER)
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert uow.deletable.in_chat(OTHER, NOW - timedelta(days=3)) == []


def test_erasure_forgets_the_chats_ids(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        uow.users.get_or_create(PERSON, NOW)
        uow.deletable.add(PERSON, [1, 2], NOW)
        uow.deletable.add(OTHER, [3], NOW)
        uow.commit()
    with UnitOfWork(engine) as uow:
        user = uow.users.get(PERSON)
        assert user is not None
        uow.users.erase(user)
        uow.commit()
    with UnitOfWork(engine) as uow:
        rows = uow.session.exec(select(DeletableMessageRow)).all()
        assert [(r.chat_id, r.message_id) for r in rows] == [(OTHER, 3)]


def test_migration_0004_carries_over_the_last_48_hours_of_sent_messages(engine: Engine) -> None:
    drop_everything(engine)
    config = alembic_config()

    def to(revision: str, *, down: bool = False) -> None:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            (command.downgrade if down else command.upgrade)(config, revision)

    to("0003_care")
    now = datetime.now(UTC)
    with UnitOfWork(engine) as uow:
        for chat_id, message_id, sent_at in (
            (PERSON, 5, now - timedelta(hours=1)),
            (PERSON, 3, now - timedelta(hours=50)),  # too old to delete
            (-100123, 9, now - timedelta(hours=1)),  # a staff group: /hapus is for private chats
            (OTHER, None, None),  # not sent
        ):
            row = uow.outbox.enqueue(chat_id, {"text": "x"}, 3, now - timedelta(hours=60))
            assert row is not None and row.id is not None
            if sent_at is not None:
                uow.outbox.mark_sent(row.id, message_id, sent_at)
        uow.commit()
    to("head")
    with UnitOfWork(engine) as uow:
        rows = uow.session.exec(select(DeletableMessageRow)).all()
        assert [(r.chat_id, r.message_id) for r in rows] == [(PERSON, 5)]
        assert abs(rows[0].sent_at - (now - timedelta(hours=1))) < timedelta(seconds=1)
    to("0003_care", down=True)
    assert "deletable_messages" not in inspect(engine).get_table_names()
    migrate(engine)
    assert "deletable_messages" in inspect(engine).get_table_names()
