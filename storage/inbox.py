"""Updates received from Telegram and not yet handled (``incoming_updates``), so that long polling
can confirm them to Telegram, and a webhook answer them, before they are handled
(bot/delivery/backlog.py, bot/delivery/stored.py). Each call is its own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine, Table, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.tables import IncomingUpdateRow

_TABLE: Table = IncomingUpdateRow.__table__  # type: ignore[attr-defined]  # SQLModel leaves it untyped
BATCH = 500  # ids per statement


class Inbox:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        insert = postgresql_insert if engine.dialect.name == "postgresql" else sqlite_insert
        # The same update fetched twice (redelivered after a crash before it was confirmed)
        # is stored once.
        self._store = insert(_TABLE).on_conflict_do_nothing()

    def store(self, updates: Sequence[tuple[int, str]], now: datetime) -> None:
        """(update id, the update's JSON) for each update, in one transaction."""
        if not updates:
            return
        with self.engine.begin() as connection:
            connection.execute(
                self._store,
                [{"update_id": uid, "received_at": now, "payload": payload} for uid, payload in updates],
            )

    def pending(self) -> list[tuple[int, str]]:
        """The stored updates, oldest first."""
        with self.engine.begin() as connection:
            query = select(_TABLE.c.update_id, _TABLE.c.payload).order_by(_TABLE.c.update_id)
            return [(row[0], row[1]) for row in connection.execute(query)]

    def ids(self) -> list[int]:
        """The stored updates' ids, oldest first: what the webhook's handler looks at every few
        hundredths of a second, without reading (and decrypting) the updates themselves."""
        with self.engine.begin() as connection:
            query = select(_TABLE.c.update_id).order_by(_TABLE.c.update_id)
            return list(connection.execute(query).scalars())

    def some(self, update_ids: Sequence[int]) -> list[tuple[int, str]]:
        """The stored updates among ``update_ids``, oldest first."""
        ids = list(update_ids)
        found: list[tuple[int, str]] = []
        with self.engine.begin() as connection:
            for start in range(0, len(ids), BATCH):
                chunk = ids[start : start + BATCH]
                query = select(_TABLE.c.update_id, _TABLE.c.payload).where(_TABLE.c.update_id.in_(chunk))
                found += [(row[0], row[1]) for row in connection.execute(query)]
        return sorted(found)

    def forget(self, update_ids: Sequence[int]) -> None:
        """Handled: no longer needed after a crash."""
        ids = list(update_ids)
        with self.engine.begin() as connection:
            for start in range(0, len(ids), BATCH):
                chunk = ids[start : start + BATCH]
                connection.execute(delete(_TABLE).where(_TABLE.c.update_id.in_(chunk)))
