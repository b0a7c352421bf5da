"""Splits a long message into pieces within Telegram's limit of 4,096 characters per message.

Telegram counts that limit on the text after HTML parsing (tags do not count, ``&amp;`` is one
character) and in UTF-16 code units (an emoji outside the Basic Multilingual Plane counts two).
So the source is read as tags, entities and characters, each measured as Telegram measures it,
and a piece ends only between two of them: never inside ``&amp;`` or a tag. A cut goes after the
last line break that fits, else after the last space, else after the last character that fits;
a tag open at the cut is closed at the end of the piece and opened again at the start of the
next, so every piece parses on its own. The pieces' texts joined give the original's text."""

from __future__ import annotations

import html
import re

LIMIT = 4096

# A tag, an entity (named or numeric) or one character; the renderer escapes every other < and &.
_TOKENS = re.compile(r"<[^<>]*>|&(?:[A-Za-z]+|#[0-9]+|#[xX][0-9A-Fa-f]+);|.", re.DOTALL)
_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")


def utf16_len(text: str) -> int:
    """The length Telegram counts: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = LIMIT) -> list[str]:
    """The pieces to send, in order; pieces that would show nothing but spaces are left out
    (Telegram trims them to an empty message and refuses it)."""
    if utf16_len(text) <= limit:  # the source is never shorter than what Telegram counts
        return [text]
    return [piece for piece in split_pieces(text, limit) if visible_text(piece).strip()]


def visible_text(source: str) -> str:
    """The text Telegram shows for ``source``: tags dropped, entities decoded."""
    return "".join(_width_text(part) for part in _TOKENS.findall(source))


def split_pieces(text: str, limit: int = LIMIT) -> list[str]:
    """Every piece, spaces-only ones included: their visible texts joined are the original's."""
    tokens = _TOKENS.findall(text)
    pieces: list[str] = []
    open_tags: tuple[tuple[str, str], ...] = ()  # (name, the opening tag as written)
    start = 0
    while start < len(tokens):
        cut, tags_at_cut = _cut(tokens, start, open_tags, limit)
        reopen = "".join(tag for _, tag in open_tags)
        close = "".join(f"</{name}>" for name, _ in reversed(tags_at_cut))
        pieces.append(reopen + "".join(tokens[start:cut]) + close)
        start, open_tags = cut, tags_at_cut
    return pieces


def _cut(
    tokens: list[str], start: int, open_tags: tuple[tuple[str, str], ...], limit: int
) -> tuple[int, tuple[tuple[str, str], ...]]:
    """Where the piece starting at ``start`` ends, and the tags still open there."""
    used, tags = 0, open_tags
    after_line: tuple[int, tuple[tuple[str, str], ...]] | None = None
    after_space: tuple[int, tuple[tuple[str, str], ...]] | None = None
    index = start
    while index < len(tokens):
        part = tokens[index]
        width = utf16_len(_width_text(part))
        if used + width > limit and index > start:
            return after_line or after_space or (index, tags)
        used += width
        tags = _track(tags, part)
        index += 1
        if part == "\n":
            after_line = (index, tags)
        elif part == " ":
            after_space = (index, tags)
    return index, tags


def _width_text(part: str) -> str:
    if part.startswith("<") and len(part) > 1:
        return ""
    if part.startswith("&") and len(part) > 1:
        return html.unescape(part)
    return part


def _track(tags: tuple[tuple[str, str], ...], part: str) -> tuple[tuple[str, str], ...]:
    if not part.startswith("<") or len(part) == 1:
        return tags
    name = _TAG_NAME.match(part)
    if name is None:
        return tags
    if part.startswith("</"):
        return tags[:-1]
    return (*tags, (name.group(1).lower(), part))
