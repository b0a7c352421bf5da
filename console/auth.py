"""Logging in to the console: argon2 password hashes, the TOTP second factor with its QR code,
session tokens and CSRF tokens, and the lockout after repeated failures.

A login is two steps: the password opens a half session ('password' stage) that can only enter a
code; a valid, never used code (or, the first time, enrolling an authenticator) makes it 'full'
under a new token. Unknown usernames cost the same hash as known ones, and every failure gets
the same answer, so nobody learns which accounts exist."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
import segno
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from storage.desk import DeskRepository
from storage.desk_tables import ConsoleAccountRow

ISSUER = "PMI Helpline"
MIN_PASSWORD = 12
STEP_SECONDS = 30


class Passwords:
    """argon2id with the library's defaults (RFC 9106 low-memory profile); tests pass cheaper
    parameters so that a login does not cost a tenth of a second."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()
        self._dummy = self.hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash or self._dummy, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None (said on the command line, in English)."""
    if len(password) < MIN_PASSWORD:
        return f"a password needs at least {MIN_PASSWORD} characters"
    if password.strip() != password:
        return "a password must not begin or end with spaces"
    return None


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG QR code, drawn here: no image service sees the secret."""
    return str(segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#111", light="#fff"))


def code_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code this is (now, or one step either side for a slow phone
    clock), or None."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    step = int(now.timestamp()) // STEP_SECONDS
    for candidate in (step, step - 1, step + 1):
        if hmac.compare_digest(totp.at(candidate * STEP_SECONDS), code):
            return candidate
    return None


def locked(account: ConsoleAccountRow, now: datetime) -> bool:
    return account.locked_until is not None and account.locked_until > now


@dataclass(frozen=True)
class Lockout:
    after: int
    duration: timedelta

    def fail(self, desk: DeskRepository, account: ConsoleAccountRow | None, now: datetime) -> None:
        if account is not None:
            desk.record_failure(account, now, self.after, self.duration)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(secret: bytes, token: str) -> str:
    """What the sessions table keeps of a cookie: a keyed hash, so neither a copy of the table
    nor the table and a guess at the hash function yields a working cookie."""
    return hmac.new(secret, token.encode("ascii", "replace"), hashlib.sha256).hexdigest()


def same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and hmac.compare_digest(a.encode(), b.encode())
