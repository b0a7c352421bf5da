"""What ``/metrics`` reads from the database, and ``/readyz``'s check, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, text

from bot.delivery.probes import readiness
from bot.metrics import exposition
from storage.db import make_engine
from storage.uow import UnitOfWork
from tests.storage.conftest import NOW, NewTicketFactory


def test_metrics_count_tickets_breaches_and_first_responses(
    engine: Engine, new_ticket: NewTicketFactory
) -> None:
    with UnitOfWork(engine) as uow:
        answered, _ = uow.tickets.open(new_ticket(), None, NOW + timedelta(hours=4))
        late, _ = uow.tickets.open(
            new_ticket(ref="PMI-AAAA-0002", idempotency_key="key-2", owner="kp2mi", priority="urgent"),
            None,
            NOW + timedelta(minutes=30),
        )
        uow.tickets.add_message(answered, "ppa-ppo", "Kami bantu.", NOW + timedelta(minutes=10))
        uow.audit.record(late.id, "system", "sla_escalated", {}, NOW + timedelta(minutes=31))
        uow.outbox.enqueue(answered.reporter_user_id or 1, {"text": "x"}, 5, NOW)
        uow.commit()
    metrics = exposition(engine, NOW + timedelta(minutes=5)).decode()
    assert 'helpline_tickets{agency="ppa-ppo",status="open"} 1.0' in metrics
    assert 'helpline_tickets{agency="kp2mi",status="open"} 1.0' in metrics
    assert 'helpline_sla_breaches_total{agency="kp2mi",priority="urgent"} 1.0' in metrics
    assert 'helpline_first_response_seconds_bucket{le="300.0"} 0.0' in metrics
    assert 'helpline_first_response_seconds_bucket{le="900.0"} 1.0' in metrics
    assert "helpline_first_response_seconds_sum 600.0" in metrics
    assert "helpline_outbox_oldest_seconds 300.0" in metrics
    assert "PMI-AAAA" not in metrics  # never a ticket id


def test_ready_when_the_schema_is_current(engine: Engine) -> None:
    assert readiness(engine) == (200, {"ok": True})
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0006_console'"))
    assert readiness(engine) == (503, {"ok": False, "database": "not migrated"})


def test_not_ready_without_a_database() -> None:
    gone = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert readiness(gone) == (503, {"ok": False, "database": "unreachable"})
