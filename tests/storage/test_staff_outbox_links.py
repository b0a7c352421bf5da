"""Staff membership, the outbox and message links."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from storage.tables import load_json
from storage.uow import UnitOfWork
from tests.storage.conftest import NOW


def test_staff_add_remove_list(uow: UnitOfWork) -> None:
    first = uow.staff.add(100, "kp2mi", "Sari", NOW)
    uow.staff.add(100, "ppa-ppo", "Sari", NOW)
    uow.staff.add(200, "kp2mi", "Budi", NOW)
    assert [(s.telegram_id, s.agency) for s in uow.staff.list()] == [
        (200, "kp2mi"),
        (100, "kp2mi"),
        (100, "ppa-ppo"),
    ]
    assert [s.name for s in uow.staff.list("kp2mi")] == ["Budi", "Sari"]
    assert [s.agency for s in uow.staff.memberships(100)] == ["kp2mi", "ppa-ppo"]

    assert uow.staff.remove(100, "kp2mi")
    assert not uow.staff.remove(100, "kp2mi")
    assert not uow.staff.remove(300, "kp2mi")
    assert [s.name for s in uow.staff.list("kp2mi")] == ["Budi"]
    assert [s.agency for s in uow.staff.memberships(100)] == ["ppa-ppo"]

    back = uow.staff.add(100, "kp2mi", "Sari Dewi", NOW + timedelta(days=1))
    assert back.id == first.id
    assert (back.active, back.name, back.created_at) == (True, "Sari Dewi", NOW)


def test_outbox_sends_by_priority_then_order(uow: UnitOfWork) -> None:
    reply = uow.outbox.enqueue(1, {"text": "halo"}, 5, NOW)
    notice = uow.outbox.enqueue(2, {"text": "notice"}, 5, NOW, kind="notice", ticket_ref="PMI-A")
    urgent = uow.outbox.enqueue(3, {"text": "DARURAT"}, 0, NOW, kind="emergency")
    assert reply and notice and urgent
    assert [row.id for row in uow.outbox.due(NOW, 10)] == [urgent.id, reply.id, notice.id]
    assert [row.id for row in uow.outbox.due(NOW, 1)] == [urgent.id]
    assert load_json(urgent.payload) == {"text": "DARURAT"}
    assert notice.ticket_ref == "PMI-A"
    assert uow.outbox.pending_count() == 3


def test_outbox_dedup_key_queues_once(uow: UnitOfWork) -> None:
    first = uow.outbox.enqueue(1, {"n": 1}, 5, NOW, dedup_key="reminder:PMI-A:1")
    again = uow.outbox.enqueue(1, {"n": 2}, 5, NOW, dedup_key="reminder:PMI-A:1")
    assert first is not None and again is None
    # The refusal did not spoil the transaction.
    assert uow.outbox.enqueue(1, {"n": 3}, 5, NOW, dedup_key="reminder:PMI-A:2") is not None
    assert uow.outbox.pending_count() == 2


def test_outbox_sent_failed_and_retried(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        ids = [uow.outbox.enqueue(chat, {}, 5, NOW) for chat in (1, 2, 3)]
        uow.commit()
    sent, failed, retried = (row.id for row in ids if row is not None)
    assert sent is not None and failed is not None and retried is not None
    with UnitOfWork(engine) as uow:
        uow.outbox.mark_sent(sent, 777, NOW)
        uow.outbox.mark_failed(failed, "Forbidden: bot was blocked by the user" * 20, NOW)
        uow.outbox.retry_later(retried, NOW + timedelta(seconds=30), "Too Many Requests")
        assert uow.outbox.due(NOW, 10) == []
        assert uow.outbox.pending_count() == 1
        uow.commit()
    with UnitOfWork(engine) as uow:
        [row] = uow.outbox.due(NOW + timedelta(seconds=30), 10)
        assert (row.id, row.attempts, row.error) == (retried, 1, "Too Many Requests")
        done = uow.session.get_one(type(row), sent)
        assert (done.sent_at, done.telegram_message_id) == (NOW, 777)
        gave_up = uow.session.get_one(type(row), failed)
        assert gave_up.failed_at == NOW and gave_up.attempts == 1
        assert gave_up.error is not None and len(gave_up.error) == 300


def test_links_find_the_ticket_of_a_message(uow: UnitOfWork) -> None:
    uow.links.add(-100500, 12, "PMI-AAAA-0001", "card")
    uow.links.add(-100500, 12, "PMI-AAAA-0001", "card")
    uow.links.add(42, 12, "PMI-AAAA-0001", "reporter_copy")
    assert uow.links.find(-100500, 12) == ("PMI-AAAA-0001", "card")
    assert uow.links.find(42, 12) == ("PMI-AAAA-0001", "reporter_copy")
    assert uow.links.find(42, 13) is None
