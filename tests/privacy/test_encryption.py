"""Encryption at rest: what a person wrote is unreadable in the database without the key, old
plaintext rows keep working, and rotation moves everything to a new key."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, MetaData, Table, select
from sqlmodel import SQLModel

from bot.config import Settings
from bot.privacy import startup_problem
from bot.service import Helpline
from storage.crypto import (
    ENCRYPTED_COLUMNS,
    DataKeyError,
    EncryptedText,
    KeyRing,
    is_encrypted,
    new_key,
    rotate,
    use_keys,
)
from storage.uow import UnitOfWork
from tests.privacy.conftest import NEW_KEY, OLD_KEY
from tests.storage.conftest import NOW, NewTicketFactory
from tests.support.service import WORKER, Person, file_report, onboard

SECRET_WORDS = ("Siti Aminah", "Johor Bahru", "+60 12 3456", "passport is kept")


def raw_rows(engine: Engine, table_name: str) -> list[dict[str, object]]:
    """Rows as stored, read through a reflected table (plain Text, no decryption)."""
    table = Table(table_name, MetaData(), autoload_with=engine)
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(select(table))]


def stored_text(engine: Engine) -> str:
    """Everything stored in the encrypted tables, as one string to search."""
    return repr([raw_rows(engine, table) for table in ENCRYPTED_COLUMNS])


def test_the_rotated_columns_are_exactly_the_encrypted_ones() -> None:
    declared = {
        table.name: tuple(c.name for c in table.columns if isinstance(c.type, EncryptedText))
        for table in SQLModel.metadata.tables.values()
    }
    assert {name: cols for name, cols in declared.items() if cols} == {
        name: columns for name, (_, columns) in ENCRYPTED_COLUMNS.items()
    }


def test_a_report_is_stored_encrypted(helpline: Helpline) -> None:
    worker = Person(helpline, WORKER)
    onboard(worker)
    ref = file_report(worker)
    text = stored_text(helpline.db)
    assert "Johor Bahru" not in text and "passport is kept" not in text
    [ticket] = raw_rows(helpline.db, "tickets")
    assert ticket["ref"] == ref  # the reference stays searchable
    assert is_encrypted(str(ticket["description"])) and is_encrypted(str(ticket["city"]))
    with UnitOfWork(helpline.db) as uow:
        found = uow.tickets.get(ref)
        assert found is not None and found.city == "Johor Bahru"
        assert "passport is kept" in found.description


def test_victim_contact_location_and_thread_are_encrypted(
    engine: Engine, new_ticket: NewTicketFactory
) -> None:
    use_keys(engine, KeyRing([NEW_KEY]))
    with UnitOfWork(engine) as uow:
        ticket, _ = uow.tickets.open(
            new_ticket(
                victim_name="Siti Aminah",
                city="Johor Bahru",
                latitude=1.4927,
                longitude=103.7414,
                contact_method="phone",
                contact_phone="+60 12 3456",
                details={"passport": "passport is kept"},
            ),
            None,
            None,
        )
        uow.tickets.add_message(ticket, "reporter", "Siti Aminah is in the hostel", NOW)
        uow.conversations.save(
            uow.users.get_or_create(1, NOW).id or 0, {"data": {"victim_name": "Siti Aminah"}}, 0, NOW
        )
        uow.outbox.enqueue(1, {"text": "Siti Aminah"}, 3, NOW)
        uow.commit()
    text = stored_text(engine)
    assert not [word for word in SECRET_WORDS if word in text]
    with UnitOfWork(engine) as uow:
        stored = uow.tickets.get(ticket.ref)
        assert stored is not None and stored.id is not None
        assert (stored.victim_name, stored.contact_phone, stored.location) == (
            "Siti Aminah",
            "+60 12 3456",
            "1.4927,103.7414",
        )
        assert [m.text for m in uow.tickets.thread(stored.id)] == ["Siti Aminah is in the hostel"]


def test_plaintext_rows_stay_readable_and_rotation_encrypts_them(
    engine: Engine, new_ticket: NewTicketFactory
) -> None:
    with UnitOfWork(engine) as uow:  # no key yet: a development database
        ticket, _ = uow.tickets.open(new_ticket(city="Johor Bahru"), None, None)
        uow.commit()
    assert "Johor Bahru" in stored_text(engine)
    ring = KeyRing([NEW_KEY])
    use_keys(engine, ring)
    with UnitOfWork(engine) as uow:
        stored = uow.tickets.get(ticket.ref)
        assert stored is not None and stored.city == "Johor Bahru"
    result = rotate(engine, ring, batch=1)
    assert result.rows >= 1 and result.values >= 3  # description, city, details
    assert "Johor Bahru" not in stored_text(engine)


def test_rotation_moves_every_value_to_the_new_key(engine: Engine, new_ticket: NewTicketFactory) -> None:
    use_keys(engine, KeyRing([OLD_KEY]))
    with UnitOfWork(engine) as uow:
        for number in range(3):
            ticket, _ = uow.tickets.open(
                new_ticket(ref=f"PMI-AAAA-000{number}", idempotency_key=f"k{number}", city="Johor Bahru"),
                None,
                None,
            )
            uow.tickets.add_message(ticket, "reporter", f"message {number}", NOW)
        uow.commit()
    both = KeyRing([NEW_KEY, OLD_KEY])  # the new key first, the old one still readable
    use_keys(engine, both)
    result = rotate(engine, both, batch=2)
    assert (result.rows, result.values) == (6, 12)  # 3 tickets x 3 values, 3 messages
    use_keys(engine, KeyRing([NEW_KEY]))  # the old key is gone
    with UnitOfWork(engine) as uow:
        stored = uow.tickets.get("PMI-AAAA-0002")
        assert stored is not None and stored.city == "Johor Bahru"
        assert [m.text for m in uow.tickets.thread(stored.id or 0)] == ["message 2"]
    use_keys(engine, KeyRing([OLD_KEY]))
    with UnitOfWork(engine) as uow, pytest.raises(DataKeyError, match="cannot be decrypted"):
        uow.tickets.get("PMI-AAAA-0002")


def test_encrypted_data_without_a_key_is_an_error_not_garbage(
    engine: Engine, new_ticket: NewTicketFactory
) -> None:
    use_keys(engine, KeyRing([NEW_KEY]))
    with UnitOfWork(engine) as uow:
        uow.tickets.open(new_ticket(), None, None)
        uow.commit()
    use_keys(engine, None)
    with UnitOfWork(engine) as uow, pytest.raises(DataKeyError, match="not set"):
        uow.tickets.get("PMI-AAAA-0001")


def test_plaintext_that_looks_encrypted_is_kept_as_written(
    engine: Engine, new_ticket: NewTicketFactory
) -> None:
    tricky = ("fernet:gAAAAAnot-a-token", "plain:plain:x")
    with UnitOfWork(engine) as uow:
        ticket, _ = uow.tickets.open(new_ticket(description=tricky[0], city=tricky[1]), None, None)
        uow.commit()
    with UnitOfWork(engine) as uow:
        stored = uow.tickets.get(ticket.ref)
        assert stored is not None and (stored.description, stored.city) == tricky


def test_bad_keys_are_refused_without_showing_them() -> None:
    with pytest.raises(DataKeyError, match="not a Fernet key") as caught:
        KeyRing.parse(f"{NEW_KEY}, secret-but-wrong")
    assert "secret-but-wrong" not in str(caught.value)
    assert KeyRing.parse(" ,") is None
    assert NEW_KEY not in repr(KeyRing.parse(NEW_KEY))
    assert KeyRing.parse(new_key()) is not None


def test_production_needs_a_key() -> None:
    def settings(**values: object) -> Settings:
        return Settings(_env_file=None, **values)  # type: ignore[arg-type, call-arg]

    problem = startup_problem(settings(helpline_env="production"))
    assert problem is not None and "helpline keys new" in problem
    assert startup_problem(settings(helpline_env="production", helpline_data_key=NEW_KEY)) is None
    assert startup_problem(settings()) is None  # development may run without one
    assert NEW_KEY not in repr(settings(helpline_data_key=NEW_KEY))
