"""Retention and the command line: purge (with its dry run), keys new and rotate, and production
refusing to run without a key."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from bot.cli import app
from bot.config import get_settings
from bot.privacy import purge
from storage.crypto import KeyRing, use_keys
from storage.uow import UnitOfWork
from tests.privacy.conftest import NEW_KEY
from tests.storage.conftest import NOW, NewTicketFactory

YEAR = timedelta(days=365)


def test_purge_anonymises_only_old_closed_tickets(engine: Engine, new_ticket: NewTicketFactory) -> None:
    use_keys(engine, KeyRing([NEW_KEY]))
    with UnitOfWork(engine) as uow:
        for number, (closed, age) in enumerate([(True, 400), (True, 300), (False, 500)]):
            created = NOW - timedelta(days=age)
            ticket, _ = uow.tickets.open(
                new_ticket(
                    ref=f"PMI-AAAA-000{number}", idempotency_key=str(number), created_at=created, city="Johor"
                ),
                None,
                None,
            )
            if closed:
                uow.tickets.close(ticket.ref, created)
        uow.commit()
    dry = purge(engine, YEAR, NOW, dry_run=True)
    assert (dry.refs, dry.dry_run) == (("PMI-AAAA-0000",), True)
    with UnitOfWork(engine) as uow:
        untouched = uow.tickets.get("PMI-AAAA-0000")
        assert untouched is not None and untouched.city == "Johor"
    assert purge(engine, YEAR, NOW).refs == ("PMI-AAAA-0000",)
    assert purge(engine, YEAR, NOW).refs == ()  # once is enough
    with UnitOfWork(engine) as uow:
        old, recent, still_open = (uow.tickets.get(f"PMI-AAAA-000{n}") for n in range(3))
        assert old is not None and old.anonymised_at == NOW and old.city is None
        assert recent is not None and recent.city == "Johor"
        assert still_open is not None and still_open.anonymised_at is None
        assert [a.action for a in uow.audit.for_ticket(old.id or 0)][-1] == "retention_anonymised"


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_cli_keys_purge_and_production_start(cli_env: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    made = cli_env.invoke(app, ["keys", "new"])
    assert made.exit_code == 0 and KeyRing.parse(made.stdout.strip()) is not None
    assert cli_env.invoke(app, ["keys", "rotate"]).exit_code == 2  # no key configured
    assert "Would anonymise 0" in cli_env.invoke(app, ["purge", "--dry-run"]).stdout
    assert cli_env.invoke(app, ["purge", "--closed-older-than", "soon"]).exit_code == 2
    monkeypatch.setenv("HELPLINE_ENV", "production")
    get_settings.cache_clear()
    refused = cli_env.invoke(app, ["run"])
    assert refused.exit_code == 2 and "helpline keys new" in refused.stdout
    monkeypatch.setenv("HELPLINE_DATA_KEY", made.stdout.strip())
    get_settings.cache_clear()
    rotated = cli_env.invoke(app, ["keys", "rotate"])
    assert rotated.exit_code == 0 and "Re-encrypted 0 values" in rotated.stdout
