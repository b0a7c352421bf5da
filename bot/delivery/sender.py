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
from bot.delivery.transport import Blocked, Buttons, FloodWait, Rejected, Transient, Transport
from bot.links import CARD, CARD_MORE, CARD_OLD, CARD_SPARE, card_message_id, card_pieces
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
# /hapus also asks for the ids between those recorded, up to this many in all (10 calls).
DELETE_RANGE = 1_000
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
    # A card's edit: the card's messages whose part in it changed (bot/links.py), by message id.
    card_links: dict[int, str] = field(default_factory=dict)
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
            if m.edit_card and m.ticket_ref:
                edit = CardEdit(self, m, await asyncio.to_thread(self._card_pieces, m.chat_id, m.ticket_ref))
                return Outcome(sent_ids=await edit.run(), card_links=edit.changed)
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
        if m.ticket_ref and m.reply_to_card:
            card = await asyncio.to_thread(self._card, m.chat_id, m.ticket_ref)
        # The bot queues a long text as one row per piece (Outgoing.pieces), so this splits
        # only a row queued before it did: such a row is still sent whole, and a failure
        # part-way sends its first pieces again.
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
            return with_gaps(uow.deletable.in_chat(chat_id, self.clock() - DELETABLE_FOR + DELETE_MARGIN))

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

    def _card_pieces(self, chat_id: int, ref: str) -> list[tuple[int, str]]:
        with UnitOfWork(self.db) as uow:
            return card_pieces(uow.session, chat_id, ref)

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
            if m.edit_card and m.ticket_ref:
                for message_id, purpose in outcome.card_links.items():
                    uow.links.relabel(m.chat_id, message_id, m.ticket_ref, purpose)
            elif m.link and m.ticket_ref:
                for index, message_id in enumerate(outcome.sent_ids):
                    # A whole card sent from one row (queued before cards were split): its
                    # later pieces are linked as such, as Outgoing.pieces links them.
                    purpose = CARD_MORE if m.link == CARD and index else m.link
                    uow.links.add(m.chat_id, message_id, m.ticket_ref, purpose)
        elif outcome.failed is not None:
            uow.outbox.mark_failed(job.id, outcome.failed, now)
            if outcome.blocked:
                uow.users.mark_blocked(m.chat_id, now)
        elif outcome.retry_in is not None:
            retry_at = now + timedelta(seconds=outcome.retry_in)
            uow.outbox.retry_later(job.id, retry_at, outcome.error)
            uow.outbox.hold_chat(self.name, m.chat_id, retry_at)


@dataclass
class _Slot:
    """One of a card's messages and its part in the card (bot/links.py)."""

    message_id: int
    purpose: str


class CardEdit:
    """One outbox row of a card's edit: one piece of the new text (Outgoing.pieces) put in its
    place among the card's messages (bot/links.py), which must always read as the whole card,
    in order, with nothing stale.

    Piece ``i`` edits the card's ``i``-th message in place. A card that grew has more pieces
    than messages: a piece with no message yet is sent as a new one after the last (a spare
    one is used first). The last piece ends the card: the card's messages after it are edited
    to a short note (``card_note``) and kept as spares. Edited rather than deleted, because
    Telegram lets a bot delete a message only in its first 48 hours and a card is edited for
    as long as its ticket is open, and a deletion that works one day and fails the next would
    leave an old piece showing exactly when nobody looks; and because a spare stays in its
    place, so a card that grows again fills it in order instead of sending its next piece
    below the note.

    Each piece is its own row, so a piece is edited or sent once and recorded as it is (the
    message id of a new piece is linked in the transaction that marks the row sent); a row
    retried after a failure part-way repeats only edits, which Telegram answers "not
    modified". So that a row's one send is never repeated for a failure after it, it is the
    row's last call. An edit queued before edits were split is one row with the whole text:
    its pieces go out from that one row."""

    def __init__(self, sender: OutboxSender, m: Outgoing, pieces: list[tuple[int, str]]) -> None:
        self.sender, self.m = sender, m
        self.slots = [_Slot(message_id, purpose) for message_id, purpose in pieces]  # in order
        self.changed: dict[int, str] = {}
        self.calls = 0

    async def run(self) -> list[int]:
        """The ids of the messages that now show this row's pieces."""
        m = self.m
        texts = split_text(m.text)  # one piece, but for a row queued before edits were split
        count = m.piece_count + len(texts) - 1
        ids = []
        for offset, text in enumerate(texts):
            index = m.piece + offset
            last = index == count - 1
            ids.append(await self._put(index, text, m.buttons if last else (), last=last))
        return ids

    async def _put(self, index: int, text: str, buttons: Buttons, *, last: bool) -> int:
        slots = self.slots
        if index < len(slots):
            slot = slots[index]
            if await self._edit(slot.message_id, text, buttons):
                if slot.purpose == CARD_SPARE:
                    self._mark(slot, CARD_MORE)
                if last:
                    for spare in slots[index + 1 :]:
                        if spare.purpose != CARD_SPARE:
                            await self._note(spare, CARD_SPARE)
                return slot.message_id
            # The message is gone (an administrator deleted it): the card's messages after it
            # are retired with the note, and this piece and the rest are sent after the last,
            # so the card still reads in order. A piece 0 sent so starts the card anew.
            for later in slots[index + 1 :]:
                await self._note(later, CARD_OLD)
            self._mark(slot, CARD_OLD)
            del slots[index:]
        # Also when a piece before this one could not be sent at all (Telegram refused it for
        # good): this one still follows the card's last message; the next edit fills the gap.
        added = _Slot(await self._send(text, buttons), CARD_MORE if slots else CARD)
        slots.append(added)
        self.changed[added.message_id] = added.purpose
        return added.message_id

    async def _note(self, slot: _Slot, purpose: str) -> None:
        """The card no longer needs this message: it shows the note (no buttons: the card's are
        on its last piece) and keeps its link, so a reply to it still finds the ticket. An edit
        queued before edits carried the note has none: only a card posted since can have more
        messages than it needs, and such a card's edits come after that row. A message already
        gone is no part of the card any more."""
        if self.m.card_note and not await self._edit(slot.message_id, self.m.card_note, ()):
            purpose = CARD_OLD
        self._mark(slot, purpose)

    def _mark(self, slot: _Slot, purpose: str) -> None:
        slot.purpose = purpose
        self.changed[slot.message_id] = purpose

    async def _edit(self, message_id: int, text: str, buttons: Buttons) -> bool:
        """False when the message no longer exists."""
        self._count(send=False)
        try:
            await self.sender.transport.edit_text(self.m.chat_id, message_id, text, buttons=buttons)
        except Rejected as exc:
            if "not modified" in exc.message:
                return True  # a retry of this row, or nothing changed
            if "not found" in exc.message:
                return False
            raise
        return True

    async def _send(self, text: str, buttons: Buttons) -> int:
        self._count(send=True)
        return await self.sender.transport.send_text(self.m.chat_id, text, reply_to=None, buttons=buttons)

    def _count(self, *, send: bool) -> None:
        """The sender took the row's first call from the limiter as an edit (not counted for
        the chat); every further call, and every new message, is counted here."""
        if self.calls or send:
            self.sender.limiter.record(self.m.chat_id, counts=send)
        self.calls += 1


def _result(outcome: Outcome) -> str:
    """The ``result`` label of helpline_sends_total."""
    if outcome.sent_ids or outcome.cleared:
        return "sent"
    if outcome.blocked:
        return "blocked"
    return "failed" if outcome.failed is not None else "retry"


def with_gaps(recorded: list[int]) -> list[int]:
    """The recorded ids (newest first) and every id between them. A private chat numbers both
    sides' messages in one sequence, so an id between two deletable messages is one too; those
    the bot never recorded are deleted as well: above all the first copy of a message sent again
    after a crash (sent, not yet recorded), which a watched phone would otherwise still show.
    Ids that are no message are skipped by Telegram ("If some of the specified messages can't be
    found, they are skipped")."""
    if not recorded:
        return []
    every = list(range(recorded[0], recorded[-1] - 1, -1))
    return every if len(every) <= DELETE_RANGE else recorded
