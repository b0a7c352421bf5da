"""Telegram-style parsing of formatted text (``parse_mode``) for the fake Bot API.

Telegram parses ``parse_mode="HTML"`` with TDLib's small, strict HTML dialect and reports
mistakes as ``400 Bad Request: can't parse entities: ...``. This module re-implements that
dialect closely enough that a bot which passes here also passes against the real API: the
same supported tags, the same four named entities plus numeric ones, offsets and lengths of
the resulting ``MessageEntity`` objects in UTF-16 code units, and error texts modelled on
TDLib's (byte offsets into the UTF-8 source).

One deliberate deviation: Telegram copies a bare ``&`` that does not start a valid entity
through literally, but this fake rejects it. A bare ``&`` in HTML text nearly always means
user-supplied text was not escaped, and the same text with a ``<`` would break in
production, so failing early is the more useful behaviour for tests.

``Markdown``/``MarkdownV2`` are accepted without parsing (see :func:`format_text`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "EntityParseError",
    "FormattedText",
    "UnsupportedParseModeError",
    "format_text",
    "parse_html",
    "utf16_len",
]

# Tag name -> MessageEntity type, for the tags that map one-to-one.
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_SUPPORTED_TAGS = frozenset({*_SIMPLE_TAGS, "span", "a", "blockquote", "tg-emoji"})
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# TDLib treats exactly these as whitespace inside tags.
_TAG_SPACE = " \t\r\n"
# Telegram trims these from both ends of a message text or caption.
_TRIM_CHARS = " \t\r\n"


class EntityParseError(ValueError):
    """The formatted text is malformed; the message is Telegram's text after the prefix."""


class UnsupportedParseModeError(ValueError):
    """``parse_mode`` is not one of Telegram's three modes."""


@dataclass(frozen=True)
class FormattedText:
    """Plain text plus the entities Telegram would attach to the message."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _OpenTag:
    name: str
    start: int  # UTF-16 offset in the output where the tag's content starts
    attrs: dict[str, str]
    language: str | None = None  # set on <pre> by a directly nested <code class="language-x">


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    # TDLib reports positions as byte offsets into the UTF-8 encoded text.
    return len(source[:index].encode("utf-8"))


def _decode_entity(source: str, pos: int) -> tuple[str, int] | None:
    """Decode the HTML entity starting at ``source[pos] == '&'``.

    Returns the decoded character and the index just after the ``;``, or ``None`` when the
    ampersand does not start an entity Telegram understands.
    """
    end = source.find(";", pos + 1)
    if end == -1:
        return None
    body = source[pos + 1 : end]
    if body in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[body], end + 1
    if not body.startswith("#") or len(body) < 2:
        return None
    digits, base = (body[2:], 16) if body[1] in "xX" else (body[1:], 10)
    allowed = "0123456789abcdefABCDEF" if base == 16 else "0123456789"
    if not digits or len(digits) > 8 or any(ch not in allowed for ch in digits):
        return None
    code = int(digits, base)
    # Zero, surrogates and values beyond Unicode are not characters.
    if code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return None
    return chr(code), end + 1


def _decode_attribute(value: str) -> str:
    # Attribute values may contain entities; a stray '&' stays literal, as in TDLib.
    out: list[str] = []
    i = 0
    while i < len(value):
        if value[i] == "&":
            decoded = _decode_entity(value, i)
            if decoded is not None:
                out.append(decoded[0])
                i = decoded[1]
                continue
        out.append(value[i])
        i += 1
    return "".join(out)


class _HtmlParser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = 0
        self.out: list[str] = []
        self.offset = 0  # UTF-16 length of everything in self.out
        self.stack: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.offset += utf16_len(text)

    def parse(self) -> FormattedText:
        source = self.source
        while self.pos < len(source):
            char = source[self.pos]
            if char == "&":
                decoded = _decode_entity(source, self.pos)
                if decoded is None:
                    offset = _byte_offset(source, self.pos)
                    raise EntityParseError(
                        f'Character "&" at byte offset {offset} must be escaped as "&amp;" '
                        "(the fake Bot API is stricter than Telegram here)"
                    )
                self.emit(decoded[0])
                self.pos = decoded[1]
            elif char == "<":
                if source.startswith("</", self.pos):
                    self.end_tag()
                else:
                    self.start_tag()
            else:
                # Copy the run of plain text up to the next markup character in one go.
                stop = len(source)
                for marker in "<&":
                    found = source.find(marker, self.pos)
                    if found != -1:
                        stop = min(stop, found)
                self.emit(source[self.pos : stop])
                self.pos = stop
        if self.stack:
            raise EntityParseError(f"Can't find end tag corresponding to start tag {self.stack[-1].name}")
        self.entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return FormattedText("".join(self.out), self.entities)

    def skip_spaces(self) -> None:
        while self.pos < len(self.source) and self.source[self.pos] in _TAG_SPACE:
            self.pos += 1

    def start_tag(self) -> None:
        source = self.source
        begin = self.pos
        byte_begin = _byte_offset(source, begin)
        self.pos += 1
        while self.pos < len(source) and source[self.pos] not in _TAG_SPACE + ">":
            self.pos += 1
        if self.pos >= len(source):
            raise EntityParseError(f"Unclosed start tag at byte offset {byte_begin}")
        name = source[begin + 1 : self.pos].lower()
        if name not in _SUPPORTED_TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {byte_begin}')
        attrs: dict[str, str] = {}
        while True:
            self.skip_spaces()
            if self.pos >= len(source):
                raise EntityParseError(f"Unclosed start tag at byte offset {byte_begin}")
            if source[self.pos] == ">":
                self.pos += 1
                break
            attr_begin = self.pos
            while self.pos < len(source) and source[self.pos] not in _TAG_SPACE + "=>":
                self.pos += 1
            attr_name = source[attr_begin : self.pos].lower()
            if not attr_name:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset {byte_begin}'
                )
            self.skip_spaces()
            if self.pos >= len(source):
                raise EntityParseError(f"Unclosed start tag at byte offset {byte_begin}")
            if source[self.pos] != "=":
                # Valueless attributes are only meaningful for <blockquote expandable>.
                if name == "blockquote" and attr_name == "expandable":
                    attrs[attr_name] = ""
                    continue
                raise EntityParseError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{name}" at byte offset {byte_begin}'
                )
            self.pos += 1
            self.skip_spaces()
            if self.pos >= len(source):
                raise EntityParseError(f"Unclosed start tag at byte offset {byte_begin}")
            quote = source[self.pos]
            if quote in "'\"":
                close = source.find(quote, self.pos + 1)
                if close == -1:
                    raise EntityParseError(f"Unclosed start tag at byte offset {byte_begin}")
                raw_value = source[self.pos + 1 : close]
                self.pos = close + 1
            else:
                value_begin = self.pos
                while self.pos < len(source) and source[self.pos] not in _TAG_SPACE + ">":
                    self.pos += 1
                raw_value = source[value_begin : self.pos]
            attrs[attr_name] = _decode_attribute(raw_value)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError('Tag "span" must have class "tg-spoiler"')
        if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise EntityParseError("Custom emoji entity must contain a tg://emoji identifier")
        self.stack.append(_OpenTag(name, self.offset, attrs))

    def end_tag(self) -> None:
        source = self.source
        begin = self.pos
        byte_begin = _byte_offset(source, begin)
        if not self.stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {byte_begin}")
        self.pos += 2
        while self.pos < len(source) and source[self.pos] not in _TAG_SPACE + ">":
            self.pos += 1
        end_name = source[begin + 2 : self.pos].lower()
        self.skip_spaces()
        if self.pos >= len(source) or source[self.pos] != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {byte_begin}")
        self.pos += 1
        tag = self.stack.pop()
        # TDLib accepts the anonymous end tag "</>" for whatever is open.
        if end_name and end_name != tag.name:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {byte_begin}, expected "</{tag.name}>", '
                f'found "</{end_name}>"'
            )
        self.close(tag)

    def close(self, tag: _OpenTag) -> None:
        length = self.offset - tag.start
        parent = self.stack[-1] if self.stack else None
        language = tag.attrs.get("class", "")
        if (
            tag.name == "code"
            and parent is not None
            and parent.name == "pre"
            and parent.start == tag.start
            and language.startswith("language-")
        ):
            # <pre><code class="language-x"> is one pre entity with a language, not two.
            parent.language = language.removeprefix("language-")
            return
        if length == 0:
            return  # Telegram drops empty entities
        extra: dict[str, Any] = {}
        if tag.name in _SIMPLE_TAGS:
            kind = _SIMPLE_TAGS[tag.name]
            if tag.name == "pre" and tag.language:
                extra["language"] = tag.language
        elif tag.name == "span":
            kind = "spoiler"
        elif tag.name == "blockquote":
            kind = "expandable_blockquote" if "expandable" in tag.attrs else "blockquote"
        elif tag.name == "tg-emoji":
            kind = "custom_emoji"
            extra["custom_emoji_id"] = tag.attrs["emoji-id"]
        else:  # <a>: without an href Telegram keeps the text and drops the link
            href = tag.attrs.get("href", "")
            if not href:
                return
            kind = "text_link"
            extra["url"] = href
        self.entities.append({"type": kind, "offset": tag.start, "length": length, **extra})


def parse_html(source: str) -> FormattedText:
    """Parse Telegram HTML into plain text and entities, or raise :class:`EntityParseError`."""
    return _HtmlParser(source).parse()


def _trim(formatted: FormattedText) -> FormattedText:
    """Strip surrounding whitespace the way Telegram does, keeping entities aligned."""
    text = formatted.text
    stripped = text.strip(_TRIM_CHARS)
    if stripped == text:
        return formatted
    lead = utf16_len(text[: len(text) - len(text.lstrip(_TRIM_CHARS))])
    limit = utf16_len(stripped)
    entities: list[dict[str, Any]] = []
    for entity in formatted.entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, limit)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return FormattedText(stripped, entities)


def format_text(text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None) -> FormattedText:
    """Turn a request's text, ``parse_mode`` and explicit entities into what Telegram stores.

    Explicit entities win over ``parse_mode``, as with Telegram. ``Markdown`` and
    ``MarkdownV2`` are accepted but not parsed: the text is kept verbatim (markup characters
    included) with no entities, so length limits are checked on the raw text.
    """
    if entities:
        formatted = FormattedText(text, [dict(entity) for entity in entities])
    elif parse_mode is None or parse_mode == "":
        formatted = FormattedText(text)
    elif parse_mode.lower() == "html":
        formatted = parse_html(text)
    elif parse_mode.lower() in {"markdown", "markdownv2"}:
        formatted = FormattedText(text)
    else:
        raise UnsupportedParseModeError(parse_mode)
    return _trim(formatted)
