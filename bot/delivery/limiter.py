"""Outbound rate limits, kept below Telegram's published ones so we are rarely told to wait.

Private chats get a token bucket (a burst of a few messages, then one per second), which is how
Telegram tolerates a bot answering with two or three messages at once. Groups and the overall
rate get sliding windows (at most N sends in any P seconds) because a bucket refilling while it
is drained lets through up to twice its size in one window, and groups have a hard 20 messages
per minute. A 429 from Telegram pauses just that chat, or everything when several chats are
refused at once (a global flood limit)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Protocol


@dataclass(frozen=True)
class Limits:
    # At most N sends in any P seconds, every chat together: Telegram's is about 30 a second
    # (TELEGRAM_OVERALL_RATE; a bot with a raised limit may set more).
    overall: tuple[int, float] = (30, 1.0)
    private_burst: int = 3
    private_per_second: float = 1.0
    group_chat: tuple[int, float] = (20, 60.0)
    global_flood_chats: int = 2  # distinct chats refused within one retry window


class _Window:
    __slots__ = ("limit", "period", "stamps")

    def __init__(self, limit: int, period: float) -> None:
        self.limit, self.period = limit, period
        self.stamps: deque[float] = deque()

    def wait(self, now: float) -> float:
        while self.stamps and self.stamps[0] <= now - self.period:
            self.stamps.popleft()
        if len(self.stamps) < self.limit:
            return 0.0
        return self.stamps[0] + self.period - now

    def record(self, now: float) -> None:
        self.stamps.append(now)


class _Bucket:
    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, capacity: int, rate: float, now: float) -> None:
        self.capacity, self.rate = capacity, rate
        self.tokens, self.stamp = float(capacity), now

    @property
    def stamps(self) -> tuple[float, ...]:
        """When it was last used, for forgetting idle chats (same shape as a window's)."""
        return (self.stamp,)

    @property
    def period(self) -> float:
        return self.capacity / self.rate

    def _refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait(self, now: float) -> float:
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def record(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1

    def settle(self, now: float) -> None:
        """The last send arrived by ``now``: it is counted from then (RateLimiter.answered)."""
        self._refill(now)
        self.tokens = min(self.tokens, self.capacity - 1)


class Budget(Protocol):
    """What the sender asks before each send: this process's ``RateLimiter``, or the one every
    process shares (bot/delivery/shared_limiter.py)."""

    shared: ClassVar[bool]  # True when other processes' sends are counted too

    def room(self) -> tuple[int, float]: ...
    def take(self, chat_id: int, *, counts: bool = True) -> float: ...
    def record(self, chat_id: int, *, counts: bool = True) -> None: ...
    def answered(self, chat_id: int) -> None: ...
    def flood(self, chat_id: int, retry_after: float) -> None: ...


class RateLimiter:
    """Asks before each send; never sleeps itself, so a busy chat cannot hold up the others."""

    shared: ClassVar[bool] = False

    def __init__(self, limits: Limits | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits or Limits()
        self.clock = clock
        self._overall = _Window(*self.limits.overall)
        self._chats: dict[int, _Window | _Bucket] = {}
        self._paused: dict[int, float] = {}
        self._global_pause = 0.0
        self._recent_floods: dict[int, float] = {}

    def wait_for(self, chat_id: int, *, counts: bool = True) -> float:
        """Seconds until ``chat_id`` may be sent to (0 = now). Edits (``counts=False``) are not
        counted against the per-chat windows, only against pauses and the overall limit."""
        now = self.clock()
        waits = [self._global_pause - now, self._paused.get(chat_id, 0.0) - now, self._overall.wait(now)]
        if counts:
            waits.append(self._window(chat_id).wait(now))
        return max(0.0, *waits)

    def take(self, chat_id: int, *, counts: bool = True) -> float:
        """0 and the send is counted, or the seconds until ``chat_id`` may be sent to."""
        wait = self.wait_for(chat_id, counts=counts)
        if wait == 0:
            self.record(chat_id, counts=counts)
        return wait

    def room(self) -> tuple[int, float]:
        """How many sends the overall limit (and a global pause) let through right now, and,
        when none, the seconds until one will be."""
        now = self.clock()
        if self._global_pause > now:
            return 0, self._global_pause - now
        wait = self._overall.wait(now)
        if wait > 0:
            return 0, wait
        return max(0, self._overall.limit - len(self._overall.stamps)), 0.0

    def record(self, chat_id: int, *, counts: bool = True) -> None:
        now = self.clock()
        self._overall.record(now)
        if counts:
            self._window(chat_id).record(now)
        self._forget_idle(now)

    def answered(self, chat_id: int) -> None:
        """Telegram answered a send to private chat ``chat_id``. Telegram counts a message when
        it arrives, which is later than when it was taken here, and a bucket that is full there
        at that moment wastes the time it waited: under load a send delayed in flight and the
        next one sent on time arrive closer together than they left, and the next is refused
        (one 429 in the e2e test at the default pace on a busy machine). Counting the send as
        if made now that it is answered, when it has surely arrived, keeps this bucket at or
        below Telegram's: a full bucket is at most one short of full after a send."""
        window = self._chats.get(chat_id)
        if isinstance(window, _Bucket):
            window.settle(self.clock())

    def flood(self, chat_id: int, retry_after: float) -> None:
        """Telegram said 429 for ``chat_id``: pause that chat, or all chats if others were
        refused too within the same window."""
        now = self.clock()
        until = now + retry_after
        self._paused[chat_id] = max(self._paused.get(chat_id, 0.0), until)
        self._recent_floods = {c: t for c, t in self._recent_floods.items() if t > now}
        self._recent_floods[chat_id] = until
        if len(self._recent_floods) >= self.limits.global_flood_chats:
            self._global_pause = max(self._global_pause, until)

    def _window(self, chat_id: int) -> _Window | _Bucket:
        window = self._chats.get(chat_id)
        if window is None:
            # Negative ids are groups and channels; positive ids are private chats.
            if chat_id < 0:
                window = _Window(*self.limits.group_chat)
            else:
                window = _Bucket(self.limits.private_burst, self.limits.private_per_second, self.clock())
            self._chats[chat_id] = window
        return window

    def _forget_idle(self, now: float) -> None:
        # Keep memory bounded by the chats active in the last minute, not all chats ever seen.
        if len(self._chats) < 1024:
            return
        for chat_id in [c for c, w in self._chats.items() if not w.stamps or w.stamps[-1] <= now - w.period]:
            del self._chats[chat_id]
        for chat_id in [c for c, t in self._paused.items() if t <= now]:
            del self._paused[chat_id]
