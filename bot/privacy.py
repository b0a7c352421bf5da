"""Privacy and safety pieces of the application (SECURITY.md): the data key and the refusal to run
production without one, retention (purge), the per-person flood limit and input sanitising."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, cast

from sqlalchemy import Engine

from bot.config import Settings, parse_duration
from flows.incoming import Incoming
from storage.crypto import KeyRing, use_keys
from storage.uow import UnitOfWork

NO_KEY_IN_PRODUCTION = (
    "HELPLINE_ENV=production needs HELPLINE_DATA_KEY: reports hold specific personal data (UU PDP) "
    "and are stored encrypted.\n"
    "Make a key with:  helpline keys new\n"
    "and set it, e.g. HELPLINE_DATA_KEY=<key> in the environment or .env. Keep a copy in a safe "
    "place: without it the reports cannot be read."
)


def keyring(settings: Settings) -> KeyRing | None:
    return KeyRing.parse(settings.helpline_data_key)


def startup_problem(settings: Settings) -> str | None:
    """Why the bot must not start with these settings, or None. A key that is set but invalid is
    a problem in every environment (``KeyRing.parse`` raises)."""
    ring = keyring(settings)
    if settings.helpline_env == "production" and ring is None:
        return NO_KEY_IN_PRODUCTION
    return None


def protect(engine: Engine, settings: Settings) -> Engine:
    """Make ``engine`` encrypt with the configured data key; returns it for chaining."""
    use_keys(engine, keyring(settings))
    return engine


# -- retention -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PurgeResult:
    refs: tuple[str, ...]  # anonymised, or (dry run) that would be
    cutoff: datetime
    dry_run: bool


def purge(
    engine: Engine, older_than: timedelta, now: datetime, *, dry_run: bool = False, batch: int = 200
) -> PurgeResult:
    """Anonymise closed tickets closed before ``now - older_than`` (one transaction per batch).
    A dry run changes nothing and returns the same references the real run would touch."""
    cutoff = now - older_than
    with UnitOfWork(engine) as uow:
        refs = tuple(uow.tickets.closed_before(cutoff))
    if dry_run:
        return PurgeResult(refs, cutoff, dry_run=True)
    done: list[str] = []
    for start in range(0, len(refs), batch):
        with UnitOfWork(engine) as uow:
            for ref in refs[start : start + batch]:
                ticket = uow.tickets.get_for_update(ref)
                # Still closed and still old: it may have been reopened since it was listed.
                if ticket is None or ticket.closed_at is None or ticket.closed_at >= cutoff:
                    continue
                if uow.tickets.anonymise(ref, now):
                    uow.audit.record(ticket.id, "system", "retention_anonymised", {}, now)
                    done.append(ref)
            uow.commit()
    return PurgeResult(tuple(done), cutoff, dry_run=False)


def retention(settings: Settings, override: str | None = None) -> timedelta:
    return parse_duration(override or settings.helpline_retention)


# -- flooding ------------------------------------------------------------------------------------
class Flood(Enum):
    OK = "ok"
    WARN = "warn"  # the first update over the limit: say "slow down" once
    DROP = "drop"  # cooling down: ignore


@dataclass
class _Bucket:
    tokens: float
    at: datetime
    until: datetime | None = None  # cooling down until then


@dataclass
class FloodGuard:
    """A token bucket per person, in memory: ``limit`` updates at once, refilled at ``limit`` per
    ``window``. Over the limit, one warning and then silence for ``cooldown``.

    In memory on purpose: it protects this process from a flood and needs no database write per
    update; with several bot processes each enforces it on its share of the updates. Time comes
    from the caller (the service's clock), so tests are deterministic."""

    limit: int
    window: timedelta
    cooldown: timedelta
    max_tracked: int = 10_000
    _buckets: dict[int, _Bucket] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> FloodGuard:
        return cls(
            settings.helpline_flood_limit,
            parse_duration(settings.helpline_flood_window),
            parse_duration(settings.helpline_flood_cooldown),
        )

    def check(self, key: int, now: datetime) -> Flood:
        bucket = self._buckets.get(key)
        if bucket is None:
            self._forget_idle(now)
            bucket = self._buckets[key] = _Bucket(float(self.limit), now)
        if bucket.until is not None:
            if now < bucket.until:
                return Flood.DROP
            bucket.until, bucket.tokens, bucket.at = None, float(self.limit), now
        elapsed = max((now - bucket.at).total_seconds(), 0.0)
        rate = self.limit / self.window.total_seconds()
        bucket.tokens, bucket.at = min(float(self.limit), bucket.tokens + elapsed * rate), now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return Flood.OK
        bucket.until = now + self.cooldown
        return Flood.WARN

    def _forget_idle(self, now: datetime) -> None:
        """Bound the memory a scraper with many accounts can take: people whose bucket is full
        again (quiet for a window) and who are not cooling down are forgotten."""
        if len(self._buckets) < self.max_tracked:
            return
        idle = [
            key
            for key, bucket in self._buckets.items()
            if bucket.until is None and now - bucket.at >= self.window
        ]
        for key in idle:
            del self._buckets[key]


# -- hostile input -------------------------------------------------------------------------------
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Text safe to process and store: lone surrogates (a malformed update decoded leniently)
    become U+FFFD, and NUL, which PostgreSQL refuses in text, is dropped."""
    return _SURROGATE.sub("\ufffd", text).replace("\x00", "")


def clean_incoming(incoming: Incoming) -> Incoming:
    """The same message with every text field cleaned (``clean_text``)."""
    changes = {
        f.name: clean_text(value)
        for f in fields(incoming)
        if isinstance(value := getattr(incoming, f.name), str)
    }
    # cast: mypy cannot check ``replace`` on a union of dataclasses; the fields come from it.
    cleaned: Incoming = replace(cast(Any, incoming), **changes)
    return cleaned
