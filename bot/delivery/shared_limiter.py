"""Telegram's rate limits shared by every bot process, in Redis (``REDIS_URL``).

About 30 messages a second in all, about one a second per private chat and 20 a minute per group
are the bot's limits, not a process's: with three processes each keeping its own, the bot would
send up to three times too fast. Here the same buckets and windows as bot/delivery/limiter.py
live in Redis and each check-and-take is one Lua script, atomic across processes, timed by
Redis's own clock (``TIME``) so that the processes' clocks need not agree. A 429 pauses the chat
(or, when several chats are refused at once, everything) for every process.

Without Redis, a PostgreSQL deployment has one elected sender instead (bot/delivery/sender.py),
and SQLite one process: either way one in-memory limiter sees every send."""

from __future__ import annotations

import secrets
from typing import Any, ClassVar

import redis

from bot.delivery.limiter import Limits

PREFIX = "helpline:rate:"

# KEYS: overall window, chat bucket or window, global pause, chat pause.
# ARGV: counts, force, group, overall limit, overall period, group limit, group period,
# private burst, private rate, a unique member for the windows.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local counts, force, group = ARGV[1] == '1', ARGV[2] == '1', ARGV[3] == '1'
local limit, period = tonumber(ARGV[4]), tonumber(ARGV[5])
local glimit, gperiod = tonumber(ARGV[6]), tonumber(ARGV[7])
local burst, rate = tonumber(ARGV[8]), tonumber(ARGV[9])
local member = string.format('%.6f', now) .. ARGV[10]
local wait = 0
local function later(w) if w > wait then wait = w end end
local function window(key, n, p)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - p)
  if redis.call('ZCARD', key) >= n then
    local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    later(tonumber(first[2]) + p - now)
  end
end
later(tonumber(redis.call('GET', KEYS[3]) or '0') - now)
later(tonumber(redis.call('GET', KEYS[4]) or '0') - now)
window(KEYS[1], limit, period)
local tokens
if counts then
  if group then
    window(KEYS[2], glimit, gperiod)
  else
    local b = redis.call('HMGET', KEYS[2], 'tokens', 'stamp')
    tokens = tonumber(b[1]) or burst
    tokens = math.min(burst, tokens + (now - (tonumber(b[2]) or now)) * rate)
    if tokens < 1 then later((1 - tokens) / rate) end
  end
end
if wait > 0 and not force then return tostring(wait) end
redis.call('ZADD', KEYS[1], now, member)
redis.call('PEXPIRE', KEYS[1], math.ceil(period * 1000) + 1000)
if counts then
  if group then
    redis.call('ZADD', KEYS[2], now, member)
    redis.call('PEXPIRE', KEYS[2], math.ceil(gperiod * 1000) + 1000)
  else
    redis.call('HSET', KEYS[2], 'tokens', tostring(tokens - 1), 'stamp', string.format('%.6f', now))
    redis.call('PEXPIRE', KEYS[2], math.ceil(burst / rate * 1000) + 1000)
  end
end
return '0'
"""

# KEYS: chat bucket. ARGV: private burst, private rate. As RateLimiter.answered: the bucket
# refilled up to now, then at most one short of full (the send counted from now).
_SETTLE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local burst, rate = tonumber(ARGV[1]), tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'stamp')
if not b[1] then return 'gone' end
local tokens = math.min(burst, tonumber(b[1]) + (now - tonumber(b[2])) * rate)
tokens = math.min(tokens, burst - 1)
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'stamp', string.format('%.6f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return 'ok'
"""

# KEYS: overall window, global pause. ARGV: overall limit, overall period.
_ROOM = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local limit, period = tonumber(ARGV[1]), tonumber(ARGV[2])
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then return {'0', tostring(paused - now)} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - period)
local n = redis.call('ZCARD', KEYS[1])
if n >= limit then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {'0', tostring(tonumber(first[2]) + period - now)}
end
return {tostring(limit - n), '0'}
"""

# KEYS: chat pause, recent floods, global pause. ARGV: retry_after, chat id, global flood chats.
_FLOOD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local retry = tonumber(ARGV[1])
local untl = now + retry
local ttl = math.ceil(retry * 1000) + 1000
local function pause(key)
  if (tonumber(redis.call('GET', key) or '0')) < untl then
    redis.call('SET', key, string.format('%.6f', untl), 'PX', ttl)
  end
end
pause(KEYS[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZADD', KEYS[2], untl, ARGV[2])
redis.call('PEXPIRE', KEYS[2], ttl)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then pause(KEYS[3]) end
return 'ok'
"""


class SharedLimiter:
    """The interface of ``RateLimiter``, for every process at once. Each call is one round trip
    to Redis (a fraction of a millisecond on a local network), made from the event loop: at 30
    sends a second that is far less than one send's own cost."""

    shared: ClassVar[bool] = True

    def __init__(self, client: redis.Redis, limits: Limits | None = None, prefix: str = PREFIX) -> None:
        self.limits = limits or Limits()
        self.redis, self.prefix = client, prefix
        self._take = client.register_script(_TAKE)
        self._room = client.register_script(_ROOM)
        self._flood = client.register_script(_FLOOD)
        self._settle = client.register_script(_SETTLE)

    @classmethod
    def from_url(cls, url: str, limits: Limits | None = None, prefix: str = PREFIX) -> SharedLimiter:
        # Short timeouts: a Redis that stopped answering fails the sender's round (retried),
        # it does not hang it.
        client = redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        return cls(client, limits, prefix)

    def take(self, chat_id: int, *, counts: bool = True) -> float:
        """0 and the send is counted, or the seconds to wait (and nothing is counted)."""
        return float(self._call_take(chat_id, counts=counts, force=False))

    def record(self, chat_id: int, *, counts: bool = True) -> None:
        """Counts a send made without asking (the later parts of a split message)."""
        self._call_take(chat_id, counts=counts, force=True)

    def answered(self, chat_id: int) -> None:
        """Telegram answered a send to private chat ``chat_id``: the send is counted again from
        now, as RateLimiter.answered does and for the same reason (Telegram counts a message when
        it arrives; one delayed in flight would let the next one arrive too soon after it)."""
        if chat_id < 0:
            return  # groups count in a window, by when each send was taken
        self._settle(
            keys=[self._key(f"chat:{chat_id}")],
            args=[self.limits.private_burst, self.limits.private_per_second],
        )

    def room(self) -> tuple[int, float]:
        left, wait = self._room(
            keys=[self._key("overall"), self._key("pause")], args=list(self.limits.overall)
        )
        return int(left), float(wait)

    def flood(self, chat_id: int, retry_after: float) -> None:
        self._flood(
            keys=[self._key(f"pause:{chat_id}"), self._key("floods"), self._key("pause")],
            args=[retry_after, chat_id, self.limits.global_flood_chats],
        )

    def _call_take(self, chat_id: int, *, counts: bool, force: bool) -> Any:
        limits = self.limits
        return self._take(
            keys=[
                self._key("overall"),
                self._key(f"chat:{chat_id}"),
                self._key("pause"),
                self._key(f"pause:{chat_id}"),
            ],
            args=[
                int(counts),
                int(force),
                int(chat_id < 0),  # negative ids are groups and channels
                *limits.overall,
                *limits.group_chat,
                limits.private_burst,
                limits.private_per_second,
                ":" + secrets.token_hex(6),
            ],
        )

    def _key(self, name: str) -> str:
        return self.prefix + name
