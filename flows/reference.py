"""Ticket references ``PMI-XXXX-XXXX`` in Crockford base32: random, unguessable, easy to read aloud."""

from __future__ import annotations

import re
from collections.abc import Callable

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
PATTERN = re.compile(r"^PMI-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
_FIND = re.compile(r"PMI[-\s]?([0-9A-Za-z]{4})[-\s]?([0-9A-Za-z]{4})", re.IGNORECASE)
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})


def new_reference(random_bytes: Callable[[int], bytes]) -> str:
    """40 random bits as 8 Crockford characters. ``random_bytes`` is ``secrets.token_bytes`` in
    production and a seeded generator in tests."""
    value = int.from_bytes(random_bytes(5), "big")
    chars = "".join(ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(8)))
    return f"PMI-{chars[:4]}-{chars[4:]}"


def normalise_reference(text: str) -> str | None:
    """Find a reference in what someone typed: lower case, missing dashes and the letters Crockford
    reads as digits (I, L -> 1, O -> 0) are forgiven. ``None`` when there is none."""
    for match in _FIND.finditer(text):
        # "saya PMI Malaysia" or "PMI Hongkong" are sentences, not references: without the
        # dashes, accept only a code that has a digit in it.
        if "-" not in match.group(0) and not any(c.isdigit() for c in match.group(0)):
            continue
        body = (match.group(1) + match.group(2)).upper().translate(_READ_AS)
        ref = f"PMI-{body[:4]}-{body[4:]}"
        if PATTERN.match(ref):
            return ref
    return None
