"""The updates fetched and not yet handled: who is handled next, a person in danger first.

Long polling (bot/delivery/polling.py) stores each batch and confirms it to Telegram before it is
handled, then fetches the next one at once; the batches wait here. Workers take one update at a
time: of the people whose waiting updates include danger words or /darurat first, then of the
others in turn. A person's updates are handled strictly one after another, in the order they
came: someone who sent "halo" and then "disekap" has "halo" handled first, ahead of everyone
else's backlog."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Mapping
from typing import Any, Generic, TypeVar

from bot.delivery.actions import text_incoming
from flows.emergency import asks_for_help_now
from flows.incoming import AttachmentIn, ChoiceIn, Incoming

log = logging.getLogger(__name__)
U = TypeVar("U")
# Ordinary updates handled at once while fetching comes first. Not none: with Telegram 50 ms
# away, fetching waits on the network most of the time and the CPU stood idle meanwhile (a
# third of the end-to-end benchmark's time); one keeps it busy without slowing the fetching
# that finds a person in danger (crisis benchmark, README, Performance).
PAUSED_WORKERS = 1


def urgent(raw: Mapping[str, Any]) -> bool:
    """Whether an update, as Telegram sent it, asks for help now: the engine's own decision
    (``flows.emergency.asks_for_help_now``) on what a private message or button says. The core
    decides what to answer; this only puts the person ahead of the queue."""
    message = raw.get("message")
    if isinstance(message, Mapping):
        chat = message.get("chat")
        if not isinstance(chat, Mapping) or chat.get("type") != "private":
            return False
        incoming = _words_of(message)
        return incoming is not None and asks_for_help_now(incoming)
    query = raw.get("callback_query")
    data = query.get("data") if isinstance(query, Mapping) else None
    return isinstance(data, str) and asks_for_help_now(ChoiceIn(data))


def _words_of(message: Mapping[str, Any]) -> Incoming | None:
    """Just what urgency needs of a message still in Telegram's JSON: its text (a command or
    words), or the caption of a file, which the engine reads as words under a file, never as a
    command. The file itself does not matter here; the adapter translates it in full later."""
    text = message.get("text")
    if isinstance(text, str):
        return text_incoming(text)
    caption = message.get("caption")
    if isinstance(caption, str):
        return AttachmentIn("document", "", caption=caption)
    return None


class Backlog(Generic[U]):
    """Waiting updates per person (key), and the people ready to be served: urgent ones first,
    then the others in the order they became ready. A person being served is not ready again
    until that update is handled.

    ``pause`` holds back the ordinary people (not the urgent ones) while long polling drains
    Telegram's queue, but for ``paused_workers`` of them at a time: fetching and storing an update
    costs a tenth of handling it, and only what was fetched can be looked at for danger words."""

    def __init__(self, paused_workers: int = PAUSED_WORKERS) -> None:
        self.paused_workers = paused_workers
        self._waiting: dict[Hashable, deque[tuple[int, U, bool]]] = {}
        # Ready people, once each: key -> urgent. The queues may hold stale entries (a person
        # moved up to urgent, or already served); ``_take`` skips them.
        self._ready: dict[Hashable, bool] = {}
        self._urgent: deque[Hashable] = deque()
        self._normal: deque[Hashable] = deque()
        self._busy: set[Hashable] = set()
        self._work = asyncio.Condition()
        self._stopping = False
        self._paused = False
        self._urgent_ready = 0  # people in _ready with True
        self.size = 0  # updates waiting or being handled
        self.handled: list[int] = []  # update ids handled since last taken (take_handled)

    async def add(self, update_id: int, update: U, key: Hashable | None, is_urgent: bool) -> None:
        person = key if key is not None else ("update", update_id)
        async with self._work:
            self._waiting.setdefault(person, deque()).append((update_id, update, is_urgent))
            self.size += 1
            if person not in self._busy:
                self._make_ready(person)
                self._work.notify()

    def take_handled(self) -> list[int]:
        done, self.handled = self.handled, []
        return done

    async def pause(self, paused: bool) -> None:
        async with self._work:
            if self._paused != paused:
                self._paused = paused
                if not paused:
                    self._work.notify_all()

    async def stop(self) -> None:
        """Workers finish the update in hand and return; what waits stays stored."""
        async with self._work:
            self._stopping = True
            self._work.notify_all()

    async def work(self, handle: Callable[[U], Awaitable[None]]) -> None:
        """One worker: handles updates until ``stop``."""
        while True:
            async with self._work:
                await self._work.wait_for(self._may_start)
                if self._stopping:
                    return
                person = self._take()
                self._busy.add(person)
                update_id, update, _ = self._waiting[person].popleft()
            try:
                await handle(update)
            except Exception:
                # Logged with the update id only: the update may hold personal data.
                log.exception("update=%s failed", update_id)
            async with self._work:
                self._busy.discard(person)
                self.size -= 1
                self.handled.append(update_id)
                if self._waiting[person]:
                    self._make_ready(person)
                else:
                    del self._waiting[person]
                # A slot kept for while paused may have freed, even when this person is done.
                self._work.notify()

    def _may_start(self) -> bool:
        if self._stopping or self._urgent_ready > 0:
            return True
        return bool(self._ready) and (not self._paused or len(self._busy) < self.paused_workers)

    def _make_ready(self, person: Hashable) -> None:
        is_urgent = any(flag for _, _, flag in self._waiting[person])
        if person in self._ready and (self._ready[person] or not is_urgent):
            return  # already queued at this level or higher
        self._ready[person] = is_urgent
        self._urgent_ready += is_urgent
        (self._urgent if is_urgent else self._normal).append(person)

    def _take(self) -> Hashable:
        while self._urgent:
            person = self._urgent.popleft()
            if self._ready.get(person) is True:
                del self._ready[person]
                self._urgent_ready -= 1
                return person
        while self._normal:
            person = self._normal.popleft()
            if self._ready.get(person) is False:
                del self._ready[person]
                return person
        raise RuntimeError("no person is ready")  # callers wait for _ready first
