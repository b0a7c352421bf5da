"""Consent to an older privacy notice, as recorded on the user row, is asked again before a new
report; the new agreement is recorded there (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

from bot.service import Helpline
from flows.incoming import CommandIn
from flows.ports import Context
from storage.uow import UnitOfWork
from tests.support.service import WORKER, Person, onboard

CURRENT = Context.__dataclass_fields__["privacy_version"].default


def _consent(helpline: Helpline) -> tuple[str | None, str | None]:
    with UnitOfWork(helpline.db) as uow:
        user = uow.users.get(WORKER)
        assert user is not None
        return user.consent_version, user.consent_scope


def test_an_older_consent_on_the_user_row_is_asked_again_and_renewed(helpline: Helpline) -> None:
    worker = Person(helpline, WORKER)
    onboard(worker)
    assert _consent(helpline)[0] == CURRENT
    with UnitOfWork(helpline.db) as uow:
        user = uow.users.get(WORKER)
        assert user is not None
        user.consent_version = "2026-11"  # agreed before the notice named Imigrasi
        uow.session.add(user)
        uow.commit()
    out = worker.send(CommandIn("lapor"))
    assert out[0].text.startswith("Our privacy notice has changed since you agreed to it.")
    out = worker.press("agree")
    assert _consent(helpline) == (CURRENT, "full")
    assert "What happened?" in out[0].text  # the report, the role not asked again
    out = worker.send(CommandIn("lapor"))
    assert "privacy notice" not in out[0].text
