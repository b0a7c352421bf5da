"""The outbox sender: turns queued messages into Bot API calls, most urgent first.

Messages were written to the outbox in the same transaction as what caused them, so sending
happens here, after commit, and a crash loses nothing (a message sent just before a crash may
go out once more). Each round fetches the most urgent due messages of chats that may be written
to now, sends them concurrently across chats and in order within a chat, and records the result:
sent (with message links for replies to work), retry later (429, network errors, 5xx), or failed
for good (the user blocked the bot, or Telegram rejected the request). The Bot API calls
themselves go through an adapter's ``Transport``; neither library retries or rate-limits on its
own, so this is the one place that does.

/hapus reaches here as a ``delete_chat`` message: the sender deletes the messages of that private
chat Telegram still allows (storage/deletable.py keeps their ids, the person's and every part of
the bot's, for 48 hours) and forgets older ids now and then."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from bot import metrics
from bot.delivery.batched import Batched
from bot.delivery.durable import GroupCommit
from bot.delivery.election import elected
from bot.delivery.limiter import Budget, RateLimiter
from bot.delivery.split import split_text
from bot.delivery.transport import Blocked, FloodWait, Rejected, Transient, Transport
from bot.links import card_message_id
from bot.outgoing import Outgoing
from storage.deletable import DELETABLE_FOR
from storage.tables import load_json
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
MAX_BACKOFF = 300.0
SENDER_LOCK = 0x504D4953  # "PMIS": the elected sender's advisory lock (bot/delivery/election.py)
# A chat claim is short and renewed while its round runs: when a process dies mid-round, its
# chats are free again within CHAT_CLAIM, not only after the message lease (a person whose bot
# restarted after a crash waited a whole minute for every reply before). The claimed messages
# are leased exactly as long: were they leased longer, a later message of the chat, queued after
# the crash, would be due before them and sent first.
CHAT_CLAIM = timedelta(seconds=10)
CLAIM_RENEW = 3.0  # seconds between renewals of a running round's chat claims
GROUP_RETRY = 300.0  # a staff group the bot cannot write to is tried again this often
# Refusals that mean "this group cannot be written to now", not "this request is wrong".
_GROUP_SETUP_ERRORS = ("chat not found", "not enough rights", "not a member", "upgraded to a supergroup")
SETTLE_TIMEOUT = 5.0  # a reply never waits longer than this for a send to be recorded
MIN_PAUSE = 0.01  # seconds between rounds when waiting for a limit, so as not to spin
DELETE_BATCH = 100  # deleteMessages takes 1-100 ids
# Recorded send times are a little late (after the answer came) and clocks differ: a message
# this close to Telegram's 48 hours is left alone rather than fail a whole batch.
DELETE_MARGIN = timedelta(minutes=10)
PRUNE_EVERY = 600.0  # seconds between forgetting ids too old to delete


def utcnow() -> datetime:
    return datetime.now(UTC)


def sender_name() -> str:
    """Who holds a chat claim (storage/chat_claims.py): unique per sender, readable in the table."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass(frozen=True)
class Job:
    id: int
    attempts: int
    message: Outgoing


@dataclass
class Outcome:
    """What became of one job; ``retry_in`` set means try again later (order kept per chat)."""

    sent_ids: list[int] = field(default_factory=list)
    cleared: bool = False  # a delete_chat message was carried out
    retry_in: float | None = None
    failed: str | None = None
    blocked: bool = False
    error: str = ""


class OutboxSender:
    def __init__(
        self,
        transport: Transport,
        db: Engine,
        limiter: Budget | None = None,
        *,
        batch: int = 200,
        poll_interval: float = 0.5,
        parallel_chats: int = 48,
        base_backoff: float = 1.0,
        clock: Callable[[], datetime] = utcnow,
        durable: GroupCommit | None = None,
        name: str | None = None,
    ) -> None:
        """``name``: this process's lasting name (HELPLINE_INSTANCE), if it has one."""
        self.transport, self.db = transport, db
        self.limiter: Budget = limiter or RateLimiter()
        # Claimed messages are synced to disk before they are sent (bot/delivery/durable.py).
        self.durable = durable or GroupCommit(db)
        self.batch, self.poll_interval = batch, poll_interval
        self.base_backoff, self.clock = base_backoff, clock
        self._parallel = asyncio.Semaphore(parallel_chats)
        self._wake = asyncio.Event()
        self._deferred: dict[int, float] = {}  # chat id -> monotonic time it may be tried again
        self._held: set[int] = set()  # chats of this round kept claimed until their retry
        self._unrecorded: dict[int, int] = {}  # chat id -> sends not yet recorded in the database
        self._recorded = asyncio.Condition()
        self._stopping = asyncio.Event()
        self._next_prune = 0.0  # monotonic time
        self._full_round = False  # the last round sent a whole claim: there may be more
        # Outcomes of sends made at about the same time are recorded in one transaction.
        self._records: Batched[tuple[Job, Outcome]] = Batched(self._record_all)
        self.name = name or sender_name()
        self._named = name is not None

    def wake(self) -> None:
        """Something was queued: send it now rather than at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    async def run(self) -> None:
        """Sends until ``stop``. Processes sharing a PostgreSQL database without a shared rate
        budget (no ``REDIS_URL``) elect one sender, as they elect the poller: its limiter then
        counts every message the bot sends, and a 429 pauses the only process that sends."""
        if self.db.dialect.name == "postgresql" and not self.limiter.shared:
            await elected(
                self.db, self._stopping, self._send_until, lock=SENDER_LOCK, role="sends the outbox"
            )
        else:
            await self._send_until(self._stopping)

    async def _send_until(self, until: asyncio.Event) -> None:
        if self._named:
            await asyncio.to_thread(self._take_over)
        while not until.is_set():
            self._wake.clear()
            try:
                await self.drain_once()
                await self._prune_now_and_then()
            except Exception:
                # A database hiccup must not end sending for good; the next round tries again.
                log.exception("outbox round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._pause())

    def _pause(self) -> float:
        """Seconds until the next round unless woken: when the overall limit next lets a
        message through if it is used up now, at once if the last round may have left more,
        when the first waiting chat may be written to again, and at most ``poll_interval``.
        Waiting a fixed interval instead left the limit unused for part of every second."""
        room, until_room = self.limiter.room()
        if room == 0:
            return max(until_room, MIN_PAUSE)
        if self._full_round:
            return 0.0
        now = time.monotonic()
        soonest = min(self._deferred.values(), default=now + self.poll_interval)
        return min(self.poll_interval, max(soonest - now, MIN_PAUSE))

    async def drain_once(self) -> int:
        """One round: send what may be sent now. Returns how many messages went out."""
        self._full_round = False
        self._held = set()
        room, _ = self.limiter.room()
        if room == 0:
            # Claiming now would only lease messages that must wait, and release them again.
            return 0
        now = time.monotonic()
        self._deferred = {c: t for c, t in self._deferred.items() if t > now}
        limit = min(self.batch, room)
        jobs = await asyncio.to_thread(self._claim, list(self._deferred)[:500], limit)
        if jobs:
            await self.durable.sync()
        by_chat: dict[int, list[Job]] = {}
        for job in jobs:
            by_chat.setdefault(job.message.chat_id, []).append(job)
        renewing = asyncio.ensure_future(self._renew_claims(list(by_chat))) if by_chat else None
        try:
            results = await asyncio.gather(
                *(self._send_chat(chat, chat_jobs) for chat, chat_jobs in by_chat.items())
            )
        finally:
            if renewing is not None:
                renewing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewing
        untouched = [job_id for _, left in results for job_id in left]
        if by_chat:
            # What was sent is recorded by now (_send_chat waits for it): the chats are free again,
            # but for those waiting on a retry, which stay held (hold_chat) so that no other process
            # sends their later messages first.
            free = [chat for chat in by_chat if chat not in self._held]
            await asyncio.to_thread(self._release, free, untouched)
        sent = sum(sent for sent, _ in results)
        self._full_round = len(jobs) == limit and sent > 0
        return sent

    def _claim(self, skip_chats: list[int], limit: int | None = None) -> list[Job]:
        """The most urgent due messages, leased to this sender for a while.

        Several bot processes may share a PostgreSQL database: the chat claims
        (storage/chat_claims.py) keep every other sender from these chats until this round is
        over, so no message is sent twice and one chat's messages never interleave; the lease
        (a later not_before) keeps the messages from being due meanwhile. If the process dies,
        lease and claims run out (or its successor of the same name takes them over) and
        another sender sends the messages."""
        now = self.clock()
        with UnitOfWork(self.db) as uow:
            rows = uow.outbox.claim(
                now, limit or self.batch, now + CHAT_CLAIM, skip_chats, self.name, now + CHAT_CLAIM
            )
            uow.commit()
        return [
            Job(
                r.id,
                r.attempts,
                Outgoing.from_payload(r.chat_id, r.priority, r.kind, r.ticket_ref, load_json(r.payload)),
            )
            for r in rows
        ]

    async def _renew_claims(self, chats: list[int]) -> None:
        """Keeps this round's chats claimed while it runs (a slow API, many messages to a chat)."""
        while True:
            await asyncio.sleep(CLAIM_RENEW)
            try:
                await asyncio.to_thread(self._renew, chats)
            except Exception:
                # The claim then runs out on its own; the next renewal tries again.
                log.exception("renewing chat claims failed")

    def _renew(self, chats: list[int]) -> None:
        with UnitOfWork(self.db) as uow:
            uow.outbox.renew_chats(self.name, chats, self.clock() + CHAT_CLAIM)
            uow.commit()

    def _take_over(self) -> None:
        """What a predecessor of the same name held when it died is due again, to this sender."""
        with UnitOfWork(self.db) as uow:
            chats = uow.outbox.take_over(self.name, self.clock())
            uow.commit()
        if chats:
            log.info("took over %d chats a previous process of this name was sending to", chats)

    def _release(self, chats: list[int], job_ids: list[int]) -> None:
        """The round is over for ``chats``; messages claimed but not tried (their chat had to
        wait) are due again at once."""
        with UnitOfWork(self.db) as uow:
            uow.outbox.release(self.name, chats, job_ids, self.clock())
            uow.commit()

    async def _send_chat(self, chat_id: int, jobs: list[Job]) -> tuple[int, list[int]]:
        """Sends one chat's messages in order; returns how many went out and the ids of those
        not tried because the chat must wait."""
        sent = 0
        async with self._parallel:
            for index, job in enumerate(jobs):
                # Telegram's per-chat limits are on new messages, not on edits and deletions.
                counts = not (job.message.edit_card or job.message.kind == "delete_chat")
                wait = self.limiter.take(chat_id, counts=counts)
                if wait > 0:
                    self._deferred[chat_id] = time.monotonic() + wait
                    return sent, [j.id for j in jobs[index:]]
                self._unrecorded[chat_id] = self._unrecorded.get(chat_id, 0) + 1
                try:
                    outcome = await self._attempt(job)
                    if counts and chat_id > 0:
                        self.limiter.answered(chat_id)
                    await self._records.submit((job, outcome))
                finally:
                    await self._done_recording(chat_id)
                if outcome.retry_in is not None:
                    # Later messages of this chat must not overtake the one that failed: not in
                    # this process (deferred) nor in another (the chat stays claimed until then).
                    self._deferred[chat_id] = time.monotonic() + outcome.retry_in
                    self._held.add(chat_id)
                    return sent, [j.id for j in jobs[index + 1 :]]
                sent += 1 if outcome.sent_ids else 0
        return sent, []

    async def _done_recording(self, chat_id: int) -> None:
        left = self._unrecorded[chat_id] - 1
        if left:
            self._unrecorded[chat_id] = left
        else:
            del self._unrecorded[chat_id]
        async with self._recorded:
            self._recorded.notify_all()

    async def settled(self, chat_id: int) -> None:
        """Waits until what was sent to ``chat_id`` is recorded. A person can reply to a
        message the moment it appears, before its ticket link is stored; the reply must still
        find the link."""
        async with self._recorded:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._recorded.wait_for(lambda: chat_id not in self._unrecorded),
                    SETTLE_TIMEOUT,
                )

    async def _attempt(self, job: Job) -> Outcome:
        m = job.message
        try:
            if m.kind == "delete_chat":
                await self._clear_chat(m.chat_id)
                return Outcome(cleared=True)
            return Outcome(sent_ids=await self._deliver(m))
        except FloodWait as exc:
            metrics.RETRY_AFTER.inc()
            self.limiter.flood(m.chat_id, exc.retry_after)
            log.warning("flood limit outbox=%s chat=%s retry_after=%.0fs", job.id, m.chat_id, exc.retry_after)
            return Outcome(retry_in=exc.retry_after, error="429 retry after")
        except Blocked as exc:
            if m.chat_id < 0:
                return self._group_unreachable(job, f"403 {exc.message}")
            log.info("forbidden outbox=%s chat=%s", job.id, m.chat_id)
            return Outcome(failed=f"403 {exc.message}", blocked=True)
        except Rejected as exc:
            if m.chat_id < 0 and any(s in exc.message.lower() for s in _GROUP_SETUP_ERRORS):
                return self._group_unreachable(job, f"400 {exc.message}")
            # Telegram will refuse this request however often it is sent: a bug or a chat that
            # no longer exists. Logged loudly, never retried.
            log.error("bad request outbox=%s chat=%s kind=%s: %s", job.id, m.chat_id, m.kind, exc.message)
            return Outcome(failed=f"400 {exc.message}")
        except Transient as exc:
            delay = min(MAX_BACKOFF, self.base_backoff * 2**job.attempts)
            log.warning(
                "send failed outbox=%s chat=%s attempt=%d retry_in=%.1fs: %s",
                job.id,
                m.chat_id,
                job.attempts + 1,
                delay,
                exc.cause,
            )
            return Outcome(retry_in=delay, error=exc.message)

    def _group_unreachable(self, job: Job, error: str) -> Outcome:
        """The bot sends to groups only for agency staff and escalations: a ticket card that
        fails for good there is a report nobody sees. The bot was removed or lacks rights, which
        an administrator can fix, so the message waits and the log says so until then."""
        log.error(
            "staff chat unreachable outbox=%s chat=%s kind=%s: %s; add the bot to the group "
            "(and let it send messages); retrying in %.0fs",
            job.id,
            job.message.chat_id,
            job.message.kind,
            error,
            GROUP_RETRY,
        )
        return Outcome(retry_in=GROUP_RETRY, error=error)

    async def _deliver(self, m: Outgoing) -> list[int]:
        card = None
        if m.ticket_ref and (m.edit_card or m.reply_to_card):
            card = await asyncio.to_thread(self._card, m.chat_id, m.ticket_ref)
        if m.edit_card and card is not None:
            try:
                await self.transport.edit_text(m.chat_id, card, split_text(m.text)[0], buttons=m.buttons)
                return [card]
            except Rejected as exc:
                if "not modified" in exc.message:
                    return [card]
                if "not found" not in exc.message:
                    raise
                # The card was deleted in the group: post it again below.
        # The bot queues a long text as one row per piece (Outgoing.pieces), so this splits
        # only a row queued before it did, or a card posted again in place of an edit: such a
        # row is still sent whole, and a failure part-way sends its first pieces again.
        pieces = split_text(m.text)
        ids = []
        for index, piece in enumerate(pieces):
            sent = await self.transport.send_text(
                m.chat_id,
                piece,
                reply_to=card if m.reply_to_card and index == 0 else None,
                buttons=m.buttons if index == len(pieces) - 1 else (),
            )
            ids.append(sent)
            if index:
                self.limiter.record(m.chat_id)
        return ids

    async def _clear_chat(self, chat_id: int) -> None:
        """/hapus: deletes what Telegram still lets the bot delete in this private chat, newest
        first (what someone opening the chat sees first), 100 at a time. Each batch done is
        forgotten at once, so a retry after a 429 or a network error goes on where it stopped."""
        ids = await asyncio.to_thread(self._deletable, chat_id)
        for start in range(0, len(ids), DELETE_BATCH):
            batch = ids[start : start + DELETE_BATCH]
            if start:
                self.limiter.record(chat_id, counts=False)
            await self._delete(chat_id, batch)
            await asyncio.to_thread(self._forget, chat_id, batch)

    async def _delete(self, chat_id: int, ids: list[int]) -> None:
        try:
            await self.transport.delete_messages(chat_id, ids)
        except Rejected as exc:
            # One message Telegram will not delete (older than it looked, say) fails the whole
            # call: halve the batch until the others are deleted, and leave that one.
            if "can't be deleted" not in exc.message:
                raise
            if len(ids) == 1:
                log.info("message not deletable chat=%s: %s", chat_id, exc.message)
                return
            half = len(ids) // 2
            await self._delete(chat_id, ids[:half])
            await self._delete(chat_id, ids[half:])

    def _deletable(self, chat_id: int) -> list[int]:
        with UnitOfWork(self.db) as uow:
            return uow.deletable.in_chat(chat_id, self.clock() - DELETABLE_FOR + DELETE_MARGIN)

    def _forget(self, chat_id: int, ids: list[int]) -> None:
        with UnitOfWork(self.db) as uow:
            uow.deletable.forget(chat_id, ids)
            uow.commit()

    async def _prune_now_and_then(self) -> None:
        if time.monotonic() < self._next_prune:
            return
        self._next_prune = time.monotonic() + PRUNE_EVERY
        await asyncio.to_thread(self._prune)

    def _prune(self) -> None:
        with UnitOfWork(self.db) as uow:
            uow.deletable.prune(self.clock())
            uow.commit()

    def _card(self, chat_id: int, ref: str) -> int | None:
        with UnitOfWork(self.db) as uow:
            return card_message_id(uow.session, chat_id, ref)

    def _record_all(self, done: Sequence[tuple[Job, Outcome]]) -> None:
        now = self.clock()
        with UnitOfWork(self.db) as uow:
            for job, outcome in done:
                self._record(uow, job, outcome, now)
            uow.commit()
        for _, outcome in done:
            metrics.SENDS.labels(_result(outcome)).inc()

    def _record(self, uow: UnitOfWork, job: Job, outcome: Outcome, now: datetime) -> None:
        m = job.message
        if outcome.cleared:
            uow.outbox.mark_sent(job.id, None, now)
        elif outcome.sent_ids:
            uow.outbox.mark_sent(job.id, outcome.sent_ids[-1], now)
            if m.chat_id > 0 and not m.edit_card:
                # Every part of a split message, so that /hapus can delete them all.
                uow.deletable.add(m.chat_id, outcome.sent_ids, now)
            purpose = "card" if m.edit_card else m.link
            if purpose and m.ticket_ref:
                for message_id in outcome.sent_ids:
                    uow.links.add(m.chat_id, message_id, m.ticket_ref, purpose)
        elif outcome.failed is not None:
            uow.outbox.mark_failed(job.id, outcome.failed, now)
            if outcome.blocked:
                uow.users.mark_blocked(m.chat_id, now)
        elif outcome.retry_in is not None:
            retry_at = now + timedelta(seconds=outcome.retry_in)
            uow.outbox.retry_later(job.id, retry_at, outcome.error)
            uow.outbox.hold_chat(self.name, m.chat_id, retry_at)


def _result(outcome: Outcome) -> str:
    """The ``result`` label of helpline_sends_total."""
    if outcome.sent_ids or outcome.cleared:
        return "sent"
    if outcome.blocked:
        return "blocked"
    return "failed" if outcome.failed is not None else "retry"
