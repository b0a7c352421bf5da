"""Group commit: one fsync for all the transactions committed since the last one, awaited before
anything committed becomes known outside the process.

The Telegram runtime opens its database with ``group_commit`` (storage/db.py): a commit then
returns once it is in the WAL (SQLite's file, PostgreSQL's log), before the disk has it. A crash
of the process loses nothing; a power cut (or a crash of the PostgreSQL server) could undo the
last commits. So whatever tells someone that work was done waits for
``GroupCommit.sync`` first: the sender before sending what it claimed from the outbox (a report's
confirmation among it), polling before confirming updates to Telegram, the webhook before its
answer, a button's answer before it is shown. Many updates handled at once share one fsync.
Engines without group commit sync every commit: ``sync`` returns at once."""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine

from storage.db import flush_commits, groups_commits


class GroupCommit:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.needed = groups_commits(engine)
        self._lock = asyncio.Lock()
        self._asked = 0  # sync() calls so far
        self._covered = 0  # calls whose commits are known to be on disk

    async def sync(self) -> None:
        """Returns once everything committed before this call is on disk."""
        if not self.needed:
            return
        self._asked += 1
        ticket = self._asked
        async with self._lock:
            if self._covered >= ticket:
                return  # a flush that began after this call was made covered it
            # Every caller so far committed before asking, so this flush covers all of them.
            covers = self._asked
            await asyncio.to_thread(flush_commits, self.engine)
            self._covered = covers
