"""Splits a long message into pieces under Telegram's 4096-character limit at line boundaries.

The limit counts characters after HTML parsing, so measuring the HTML source is conservative.
The renderer keeps each formatting tag within one line, so a split between lines never cuts a
tag in two."""

from __future__ import annotations

LIMIT = 4096


def split_text(text: str, limit: int = LIMIT) -> list[str]:
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        for part in _split_line(line, limit):
            candidate = part if not current else f"{current}\n{part}"
            if len(candidate) <= limit:
                current = candidate
                continue
            if current.strip():
                pieces.append(current)
            current = part
    if current.strip():
        pieces.append(current)
    return pieces


def _split_line(line: str, limit: int) -> list[str]:
    """A single line longer than the limit is cut at spaces (or hard, if it has none)."""
    parts: list[str] = []
    while len(line) > limit:
        cut = line.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        parts.append(line[:cut])
        line = line[cut:].lstrip(" ")
    parts.append(line)
    return parts
