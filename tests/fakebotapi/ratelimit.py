"""Telegram's flood limits as token buckets, for the fake Bot API's optional rate limiting.

Telegram documents roughly 30 messages per second per bot overall, about one message per
second per private chat (short bursts tolerated) and 20 messages per minute per group, and
answers excess requests with ``429 Too Many Requests`` plus ``parameters.retry_after``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

__all__ = ["RateLimitConfig", "RateLimiter"]


@dataclass(frozen=True)
class RateLimitConfig:
    """Bucket sizes and refill rates; the defaults mirror Telegram's documented caps."""

    per_second: float = 30.0
    private_burst: int = 3
    private_per_second: float = 1.0
    group_per_minute: int = 20


@dataclass
class _Bucket:
    capacity: float
    rate: float  # tokens added per second
    tokens: float
    updated: float

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0 when one is available now)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


@dataclass
class RateLimiter:
    """Decides whether a message to a chat may go out now; not thread-safe by itself."""

    config: RateLimitConfig
    _global: _Bucket | None = None
    _chats: dict[int, _Bucket] = field(default_factory=dict)

    def _bucket_for(self, chat_id: int, chat_type: str, now: float) -> _Bucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if chat_type == "private":
                capacity, rate = float(self.config.private_burst), self.config.private_per_second
            else:
                capacity = float(self.config.group_per_minute)
                rate = self.config.group_per_minute / 60
            bucket = self._chats[chat_id] = _Bucket(capacity, rate, capacity, now)
        return bucket

    def acquire(self, chat_id: int, chat_type: str, now: float) -> int | None:
        """Take a token for one message; return ``retry_after`` seconds when over the limit."""
        if self._global is None:
            per_second = self.config.per_second
            self._global = _Bucket(per_second, per_second, per_second, now)
        buckets = (self._global, self._bucket_for(chat_id, chat_type, now))
        wait = max(bucket.wait_time(now) for bucket in buckets)
        if wait > 0:
            # Telegram's retry_after is a whole number of seconds, never 0.
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.tokens -= 1
        return None
