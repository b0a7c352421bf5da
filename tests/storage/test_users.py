"""Users, conversation state and processed updates."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from storage.errors import ConcurrentUpdate
from storage.uow import UnitOfWork
from tests.storage.conftest import NOW


def test_get_or_create_returns_the_same_user(uow: UnitOfWork) -> None:
    assert uow.users.get(42) is None
    first = uow.users.get_or_create(42, NOW)
    again = uow.users.get_or_create(42, NOW + timedelta(hours=1))
    assert first.id is not None
    assert again.id == first.id
    assert again.created_at == NOW
    assert again.lang == "id"


def test_consent_language_role_country_and_block_are_stored(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        user = uow.users.get_or_create(42, NOW)
        uow.users.record_consent(user, "2026-11", "en", "full", NOW)
        uow.users.set_lang(user, "en")
        uow.users.set_role(user, "worker")
        uow.users.set_country(user, "MY")
        uow.commit()
    with UnitOfWork(engine) as uow:
        uow.users.mark_blocked(42, NOW + timedelta(days=1))
        uow.commit()
    with UnitOfWork(engine) as uow:
        stored = uow.users.get(42)
        assert stored is not None
        assert (stored.consent_version, stored.consent_lang, stored.consent_scope) == (
            "2026-11",
            "en",
            "full",
        )
        assert stored.consent_at == NOW
        assert (stored.lang, stored.role, stored.country) == ("en", "worker", "MY")
        assert stored.blocked_at == NOW + timedelta(days=1)


def test_conversation_save_and_load(uow: UnitOfWork) -> None:
    user = uow.users.get_or_create(42, NOW)
    assert user.id is not None
    assert uow.conversations.load(user.id) == (None, 0)
    state = {"flow": "report", "answers": {"city": "Kuala Lumpur", "note": "disekap"}}
    assert uow.conversations.save(user.id, state, 0, NOW) == 1
    assert uow.conversations.load(user.id) == (state, 1)
    assert uow.conversations.save(user.id, {"flow": "menu"}, 1, NOW) == 2
    assert uow.conversations.load(user.id) == ({"flow": "menu"}, 2)


def test_conversation_save_refuses_a_stale_version(uow: UnitOfWork) -> None:
    user = uow.users.get_or_create(42, NOW)
    assert user.id is not None
    uow.conversations.save(user.id, {"step": 1}, 0, NOW)
    uow.conversations.save(user.id, {"step": 2}, 1, NOW)
    with pytest.raises(ConcurrentUpdate):
        uow.conversations.save(user.id, {"step": "stale"}, 1, NOW)
    with pytest.raises(ConcurrentUpdate):
        uow.conversations.save(user.id, {"step": "first again"}, 0, NOW)
    # The refused saves left the transaction usable and the state untouched.
    assert uow.conversations.load(user.id) == ({"step": 2}, 2)


def test_concurrent_first_saves_leave_one_winner(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        user = uow.users.get_or_create(42, NOW)
        uow.commit()
    assert user.id is not None
    user_id = user.id
    saved = threading.Event()
    outcome: list[str] = []

    def second() -> None:
        saved.wait()
        with UnitOfWork(engine) as uow:
            try:
                uow.conversations.save(user_id, {"by": "second"}, 0, NOW)
                uow.commit()
                outcome.append("saved")
            except ConcurrentUpdate:
                outcome.append("conflict")

    thread = threading.Thread(target=second)
    thread.start()
    with UnitOfWork(engine) as uow:
        uow.conversations.save(user_id, {"by": "first"}, 0, NOW)
        saved.set()
        # On PostgreSQL the second insert now waits for this transaction; on SQLite the second
        # transaction cannot even begin.
        time.sleep(0.2)
        uow.commit()
    thread.join()
    assert outcome == ["conflict"]
    with UnitOfWork(engine) as uow:
        assert uow.conversations.load(user_id) == ({"by": "first"}, 1)


def test_an_update_is_claimed_once(uow: UnitOfWork) -> None:
    assert uow.updates.claim("telegram", 1001, NOW)
    assert not uow.updates.claim("telegram", 1001, NOW)
    assert uow.updates.claim("telegram", 1002, NOW)
    assert uow.updates.claim("terminal", 1001, NOW)


def test_a_rolled_back_update_is_not_claimed(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        assert uow.updates.claim("telegram", 1001, NOW)
        # no commit: handling the update failed
    with UnitOfWork(engine) as uow:
        assert uow.updates.claim("telegram", 1001, NOW)
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert not uow.updates.claim("telegram", 1001, NOW)
