"""Every column fed by Telegram takes the largest value the Bot API allows, on SQLite and on
PostgreSQL, and SQLite refuses what PostgreSQL refuses (storage/parity.py), so that a value too
long or too large for a column fails in the suite and not first in production."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, exc, insert
from sqlmodel import SQLModel

from flows.events import Evidence
from storage.desk import DeskRepository
from storage.desk_tables import EvidenceFileRow
from storage.inbox import Inbox
from storage.parity import limit_of
from storage.uow import UnitOfWork
from tests.storage.conftest import NOW, NewTicketFactory

SPEC = json.loads((Path(__file__).parents[1] / "fakebotapi" / "bot-api-10.1.min.json").read_text())

# Telegram says ids and sizes have "at most 52 significant bits"; chat ids of supergroups are
# -100 followed by such a number.
LARGEST_ID = 2**52 - 1
LARGEST_CHAT = -(10**12) - LARGEST_ID
# The Bot API sets no length on file ids, names and MIME types; a size the spec cannot refuse.
LONG = 20_000

# Which columns hold which Bot API field.
FED_BY_TELEGRAM = {
    ("users", "telegram_id"): ("User", "id"),
    ("staff", "telegram_id"): ("User", "id"),
    ("processed_updates", "update_id"): ("Update", "update_id"),
    ("incoming_updates", "update_id"): ("Update", "update_id"),
    ("outbox", "chat_id"): ("Chat", "id"),
    ("outbox", "telegram_message_id"): ("Message", "message_id"),
    ("deletable_messages", "chat_id"): ("Chat", "id"),
    ("deletable_messages", "message_id"): ("Message", "message_id"),
    ("message_links", "chat_id"): ("Chat", "id"),
    ("message_links", "message_id"): ("Message", "message_id"),
    ("evidence", "file_id"): ("Document", "file_id"),
    ("evidence", "mime_type"): ("Document", "mime_type"),
    ("evidence", "size"): ("Document", "file_size"),
    ("evidence", "name"): ("Document", "file_name"),
    ("evidence_files", "size"): ("Document", "file_size"),
    ("evidence_files", "mime_type"): ("Document", "mime_type"),
}


def _spec_type(type_name: str, field: str) -> str:
    (found,) = [f for f in SPEC["types"][type_name]["fields"] if f["name"] == field]
    assert len(found["types"]) == 1
    return str(found["types"][0])


@pytest.mark.parametrize(("column", "field"), FED_BY_TELEGRAM.items(), ids=lambda v: ".".join(v))
def test_columns_fed_by_telegram_have_no_tighter_limit_than_the_bot_api(
    column: tuple[str, str], field: tuple[str, str]
) -> None:
    table, name = column
    limit = limit_of(SQLModel.metadata.tables[table].c[name].type)
    if _spec_type(*field) == "Integer":
        assert limit == ("range", 2**63), f"{table}.{name} must be BIGINT"
    else:
        assert _spec_type(*field) == "String"
        assert limit is None, f"{table}.{name} must be unbounded text"


def test_the_largest_values_telegram_may_send_are_stored_everywhere(
    engine: Engine, new_ticket: NewTicketFactory
) -> None:
    document = Evidence("document", "F" * LONG, "application/" + "x" * LONG, LARGEST_ID, "n" * LONG)
    with UnitOfWork(engine) as uow:
        user = uow.users.get_or_create(LARGEST_ID, NOW)
        staff = uow.staff.add(LARGEST_ID, "ppa-ppo", "Nama " * LONG, NOW)
        assert uow.updates.claim("telegram", LARGEST_ID, NOW)
        ticket, created = uow.tickets.open(new_ticket(evidence=(document,)), user.id, NOW)
        assert created and ticket.id is not None
        row = uow.outbox.enqueue(LARGEST_CHAT, {"text": "halo"}, 1, NOW)
        assert row is not None and row.id is not None
        uow.outbox.mark_sent(row.id, LARGEST_ID, NOW)
        uow.deletable.add(LARGEST_CHAT, [LARGEST_ID], NOW)
        uow.links.add(LARGEST_CHAT, LARGEST_ID, ticket.ref, "card")
        uow.commit()
        (evidence,) = uow.tickets.evidence(ticket.id)
        desk = DeskRepository(uow.session)
        assert evidence.id is not None
        desk.store_evidence(evidence.id, [b"x"], document.mime_type, NOW)
        uow.commit()
    Inbox(engine).store([(LARGEST_ID, "{}")], NOW)

    with UnitOfWork(engine) as uow:
        (evidence,) = uow.tickets.evidence(ticket.id)
        assert (evidence.file_id, evidence.mime_type, evidence.size, evidence.name) == (
            document.file_id,
            document.mime_type,
            document.size,
            document.name,
        )
        assert [s.name for s in uow.staff.list("ppa-ppo") if s.id == staff.id] == ["Nama " * LONG]
        assert uow.links.find(LARGEST_CHAT, LARGEST_ID) == (ticket.ref, "card")
        assert uow.deletable.in_chat(LARGEST_CHAT, NOW) == [LARGEST_ID]
        assert uow.users.get(LARGEST_ID) is not None
    assert Inbox(engine).pending() == [(LARGEST_ID, "{}")]


def test_a_value_postgresql_refuses_is_refused_on_sqlite_too(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        with pytest.raises(exc.DataError):
            uow.staff.add(1, "an-agency-code-longer-than-32-characters", "Officer", NOW)
        uow.rollback()
        with pytest.raises(exc.DataError):
            uow.session.execute(
                insert(EvidenceFileRow).values(
                    evidence_id=1, size=1, mime_type=None, chunks=2**31, fetched_at=NOW
                )
            )
        uow.rollback()
        # The largest value of the same columns goes through (the foreign key aside).
        staff = uow.staff.add(1, "x" * 10, "Officer", NOW)
        assert staff.agency == "x" * 10


def test_limits_are_read_from_the_column_types() -> None:
    assert limit_of(SQLModel.metadata.tables["staff"].c["agency"].type) == ("length", 32)
    assert limit_of(SQLModel.metadata.tables["evidence_files"].c["chunks"].type) == ("range", 2**31)
    assert limit_of(SQLModel.metadata.tables["tickets"].c["description"].type) is None
