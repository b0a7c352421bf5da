"""The notice setting on the user row (issue 11 item 8): stored, discreet by default, and
migration 0007 keeps every existing user and conversation, making them discreet."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine, inspect

from storage.db import alembic_config, migrate
from storage.uow import UnitOfWork
from tests.storage.conftest import NOW, drop_everything


def test_a_new_user_is_discreet_and_the_choice_is_stored(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        user = uow.users.get_or_create(42, NOW)
        assert user.reads_safely is False
        uow.users.set_reads_safely(user, True)
        uow.commit()
    with UnitOfWork(engine) as uow:
        stored = uow.users.get(42)
        assert stored is not None and stored.reads_safely is True


def test_migration_0007_makes_existing_users_discreet_and_keeps_their_conversations(engine: Engine) -> None:
    drop_everything(engine)
    config = alembic_config()

    def to(revision: str, *, down: bool = False) -> None:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            (command.downgrade if down else command.upgrade)(config, revision)

    to("0010_outbox_chats")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO users (telegram_id, lang, created_at) VALUES (42, 'id', '2026-11-23 08:00:00+00')"
        )
        user_id = connection.exec_driver_sql("SELECT id FROM users WHERE telegram_id = 42").scalar_one()
        connection.exec_driver_sql(
            "INSERT INTO conversations (user_id, state, version, updated_at) "
            f"VALUES ({user_id}, 'x', 1, '2026-11-23 08:00:00+00')"
        )
    to("head")
    with UnitOfWork(engine) as uow:
        user = uow.users.get(42)
        assert user is not None and user.reads_safely is False
    to("0010_outbox_chats", down=True)
    assert "reads_safely" not in {c["name"] for c in inspect(engine).get_columns("users")}
    with engine.begin() as connection:
        # Going down does not take the conversations with it (no table copy, no cascade).
        assert connection.exec_driver_sql("SELECT count(*) FROM conversations").scalar_one() == 1
    migrate(engine)
    assert "reads_safely" in {c["name"] for c in inspect(engine).get_columns("users")}
