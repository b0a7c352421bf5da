"""The unit of work: one database transaction and the repositories that work inside it.

Used once per incoming update (load state, step, save, write tickets and outbox, commit)::

    with UnitOfWork(engine) as uow:
        ...
        uow.commit()

Leaving the block without ``commit()`` (an exception, or an early return) rolls everything back."""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlmodel import Session

from storage.deletable import DeletableMessages
from storage.outbox import OutboxRepository
from storage.repositories import (
    AuditRepository,
    ConversationRepository,
    LinkRepository,
    StaffRepository,
    UpdateLog,
    UserRepository,
)
from storage.tickets import TicketRepository
from storage.update_start import Started, start_update


class UnitOfWork:
    def __init__(self, engine: Engine) -> None:
        # Rows returned by the repositories stay readable after commit (to render replies and
        # cards) instead of being reloaded, or failing, once the session is closed.
        self.session = Session(engine, expire_on_commit=False)
        self.users = UserRepository(self.session)
        self.conversations = ConversationRepository(self.session)
        self.updates = UpdateLog(self.session)
        self.tickets = TicketRepository(self.session)
        self.audit = AuditRepository(self.session)
        self.staff = StaffRepository(self.session)
        self.outbox = OutboxRepository(self.session)
        self.links = LinkRepository(self.session)
        self.deletable = DeletableMessages(self.session)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # Closing rolls back whatever was not committed and returns the connection to the pool.
        self.session.close()

    def start_update(
        self,
        telegram_id: int,
        update_id: int | None,
        now: datetime,
        message: tuple[int, datetime] | None = None,
    ) -> Started | None:
        """Claim a Telegram update, keep the person's message id (``message``: id, sent at) and
        load its sender and their dialogue state (see storage/update_start.py); None when the
        update was handled before."""
        return start_update(
            self.session, telegram_id, now, source="telegram", update_id=update_id, message=message
        )

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
