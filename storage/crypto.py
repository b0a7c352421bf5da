"""Encryption at rest of the sensitive ticket fields (UU PDP: specific personal data).

A column typed ``EncryptedText`` is stored as ``fernet:<token>``: Fernet (AES-128-CBC with an
HMAC-SHA256, from the ``cryptography`` package) under the first key of the engine's key ring. Every
key of the ring can decrypt, so rotating is: put a new key first, keep the old ones, run
``helpline keys rotate`` (which rewrites every value under the new key), then drop the old keys.

The key ring belongs to an engine (``use_keys``), not to the process, so two databases with
different keys (or a test with and one without) never mix. Without a key ring values are stored
as plaintext; that is for development only, and production refuses to start that way
(``bot.privacy``). A stored value without the ``fernet:`` marker is read as plaintext, so rows
written before a key was configured stay readable until ``keys rotate`` encrypts them; a
plaintext value that happens to start with a marker is stored behind ``plain:`` so that it cannot
be mistaken for one."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Dialect, Engine, MetaData, Table, Text, TypeDecorator, select, update
from sqlalchemy.orm import Session

__all__ = [
    "ENCRYPTED_COLUMNS",
    "DataKeyError",
    "EncryptedText",
    "KeyRing",
    "RotationResult",
    "is_encrypted",
    "keyring_for",
    "new_key",
    "rotate",
    "use_keys",
]

ENCRYPTED = "fernet:"
PLAIN = "plain:"


class DataKeyError(ValueError):
    """A configured key is not a Fernet key, or a stored value cannot be decrypted with any."""


def new_key() -> str:
    """A fresh random key, in the form ``HELPLINE_DATA_KEY`` expects."""
    return Fernet.generate_key().decode("ascii")


def is_encrypted(stored: str | None) -> bool:
    return stored is not None and stored.startswith(ENCRYPTED)


class KeyRing:
    """The data keys, newest first: the first encrypts, all of them decrypt."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise DataKeyError("a key ring needs at least one key")
        try:
            self._fernet = MultiFernet([Fernet(key.encode("ascii")) for key in keys])
        except (ValueError, UnicodeEncodeError) as exc:
            # The message never includes the key itself: it may end up in a log.
            raise DataKeyError(
                "HELPLINE_DATA_KEY holds a value that is not a Fernet key (make one with: helpline keys new)"
            ) from exc
        self.size = len(keys)

    @classmethod
    def parse(cls, text: str | None) -> KeyRing | None:
        """The ring of a comma-separated ``HELPLINE_DATA_KEY``; None when no key is set."""
        keys = [part.strip() for part in (text or "").split(",") if part.strip()]
        return cls(keys) if keys else None

    def __repr__(self) -> str:
        return f"KeyRing(<{self.size} keys>)"  # never the keys themselves

    def encrypt(self, plaintext: str) -> str:
        return ENCRYPTED + self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, stored: str) -> str:
        try:
            return self._fernet.decrypt(stored[len(ENCRYPTED) :].encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeEncodeError) as exc:
            raise DataKeyError(
                "a stored value cannot be decrypted with any key of "
                "HELPLINE_DATA_KEY (was a key removed too early?)"
            ) from exc

    def reencrypt(self, stored: str) -> str:
        """The value under the newest key (plaintext gets encrypted)."""
        return self.encrypt(decode(stored, self))


# Dialect objects are per engine; a weak mapping lets a disposed engine take its ring with it.
_RINGS: weakref.WeakKeyDictionary[Dialect, KeyRing] = weakref.WeakKeyDictionary()


def use_keys(engine: Engine, ring: KeyRing | None) -> None:
    """Encrypt what this engine writes with ``ring`` (None: store plaintext, development only)."""
    if ring is None:
        _RINGS.pop(engine.dialect, None)
    else:
        _RINGS[engine.dialect] = ring


def keyring_for(dialect: Dialect) -> KeyRing | None:
    return _RINGS.get(dialect)


def encode(plaintext: str, ring: KeyRing | None) -> str:
    if ring is not None:
        return ring.encrypt(plaintext)
    if plaintext.startswith((ENCRYPTED, PLAIN)):
        return PLAIN + plaintext
    return plaintext


def decode(stored: str, ring: KeyRing | None) -> str:
    if stored.startswith(ENCRYPTED):
        if ring is None:
            raise DataKeyError("the database holds encrypted data but HELPLINE_DATA_KEY is not set")
        return ring.decrypt(stored)
    if stored.startswith(PLAIN):
        return stored[len(PLAIN) :]
    return stored


class EncryptedText(TypeDecorator[str]):
    """Text encrypted with the engine's key ring on the way in, decrypted on the way out.

    Only equality on NULL makes sense in a query: the same text encrypts differently every time,
    which is the point (nobody can tell two reports with the same words apart)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else encode(value, keyring_for(dialect))

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else decode(str(value), keyring_for(dialect))


# table -> (its primary key, its encrypted columns): what ``rotate`` rewrites. A test checks it
# against the EncryptedText columns of storage/tables.py.
ENCRYPTED_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "tickets": ("id", ("description", "victim_name", "city", "location", "contact_phone", "details")),
    "ticket_messages": ("id", ("text",)),
    "conversations": ("user_id", ("state",)),
    "outbox": ("id", ("payload",)),
    "incoming_updates": ("update_id", ("payload",)),
    "console_accounts": ("id", ("totp_secret",)),
    "ticket_notes": ("id", ("text",)),
    "evidence_chunks": ("id", ("data",)),
}


@dataclass(frozen=True)
class RotationResult:
    rows: int
    values: int


def rotate(engine: Engine, ring: KeyRing, *, batch: int = 500) -> RotationResult:
    """Rewrite every encrypted column under the newest key of ``ring`` (plaintext included), one
    transaction per batch so that a big database does not hold one long lock. Safe to interrupt
    and run again: every key of the ring still reads what is not yet rewritten."""
    metadata = MetaData()
    rows_done = values_done = 0
    for table_name, (key_name, names) in ENCRYPTED_COLUMNS.items():
        # Reflected plain Text columns: the raw stored values, not the decrypted ones.
        table = Table(table_name, metadata, autoload_with=engine)
        key, columns = table.c[key_name], [table.c[name] for name in names]
        last = 0
        while True:
            with Session(engine) as session, session.begin():
                rows = session.execute(
                    # Locked: a row changed by the bot meanwhile must not be overwritten with its
                    # old value.
                    select(key, *columns).where(key > last).order_by(key).limit(batch).with_for_update()
                ).all()
                if not rows:
                    break
                for row in rows:
                    new = {
                        name: ring.reencrypt(value)
                        for name, value in zip(names, row[1:], strict=True)
                        if value is not None
                    }
                    if new:
                        session.execute(update(table).where(key == row[0]).values(**new))
                        values_done += len(new)
                rows_done += len(rows)
                last = rows[-1][0]
    return RotationResult(rows_done, values_done)
