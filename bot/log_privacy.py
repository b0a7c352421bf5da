"""Logs never hold what people wrote, who they are or the bot's secrets, at any level and from any
library (SECURITY.md).

The helpline's own log lines carry references and ids only, but the libraries' do not: at DEBUG
python-telegram-bot logs every Bot API call with its parameters (a card quotes the whole report)
and every result, aiogram and httpx log request URLs (which hold the bot token), and a library's
exception may quote the message it failed on. So every log record, from every logger, is
rewritten when it is made: the values of fields that hold text people wrote or that identify them
(``text``, ``caption``, names, phone numbers, ...) become ``<redacted>``, in JSON, in Python reprs
(``{'text': ...}``, ``Message(text=...)``) and in query strings alike; phone numbers anywhere
become ``<phone>``; the token and the webhook secret become ``<secret>``. A record factory rather
than a handler filter: it sees every record, whichever handler or library formats it later."""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

# Bot API fields (and the helpline's payload keys) whose values are what a person wrote, named or
# sent about themselves. Ids and references stay: they are what an operator needs to follow an
# update or a ticket without seeing it.
PRIVATE_FIELDS = (
    "text",
    "caption",
    "first_name",
    "last_name",
    "username",
    "phone_number",
    "phone",
    "contact_phone",
    "vcard",
    "title",
    "description",
    "name",
    "file_name",
    "victim_name",
    "address",
    "city",
    "location",
    "latitude",
    "longitude",
    "question",
    "query",
    "explanation",
    "bio",
    "story",
    "message_text",
    "quote",
    "data",
)
REDACTED = "<redacted>"
SECRET = "<secret>"  # noqa: S105 - the marker put in place of a secret

_KEYS = "|".join(PRIVATE_FIELDS)
# A quoted string, or what is left of the record when the string was cut off by the library.
_QUOTED = r"""(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|['"].*)"""
# 'text': '...', "text":"...", \"text\":\"...\" (JSON inside a JSON string)
_MAPPING = re.compile(
    rf"""(?P<key>(?P<q>\\?['"])(?:{_KEYS})(?P=q)\s*:\s*)(?P<value>\\"(?:[^"\\]|\\[^"])*\\"|{_QUOTED}|[^,}}\]\s]+)""",
    re.DOTALL,
)
# Message(text='...'), text=..., &text=... (reprs, keyword arguments, query strings)
_ASSIGNMENT = re.compile(rf"""(?P<key>(?<![\w.])(?:{_KEYS})=)(?P<value>{_QUOTED}|[^,)&\s]+)""", re.DOTALL)
# A phone number: a + or a leading 0, then at least eight more digits, perhaps spaced. Telegram
# ids, update ids and times do not start that way (a group's id starts with -100).
_PHONE = re.compile(r"(?<![\w-])(?:\+|0)\d(?:[ .()-]?\d){7,}")
# Any bot token, also one the settings do not know (another bot's, in a library's error).
_TOKEN = re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{20,}")


class Redactor:
    """Rewrites a log line so that it holds none of the private values above."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        known = {s for s in secrets if s}
        # The secret as given and as it appears in a URL or a form body.
        self._secrets = sorted(known | {quote(s, safe="") for s in known}, key=len, reverse=True)

    def __call__(self, line: str) -> str:
        for secret in self._secrets:
            line = line.replace(secret, SECRET)
        line = _TOKEN.sub(SECRET, line)
        line = _MAPPING.sub(lambda m: m["key"] + _quoted_like(m["value"]), line)
        line = _ASSIGNMENT.sub(lambda m: m["key"] + _quoted_like(m["value"]), line)
        return _PHONE.sub("<phone>", line)


def _quoted_like(value: str) -> str:
    """``<redacted>`` quoted as the value was, so the line still reads as JSON or a repr."""
    if value.startswith('\\"'):
        return f'\\"{REDACTED}\\"'
    if value[:1] in "'\"":
        return f"{value[0]}{REDACTED}{value[0]}"
    return REDACTED


def redact_record(record: logging.LogRecord, redact: Callable[[str], str]) -> None:
    """Rewrites ``record`` in place: its message, its exception's text and its stack."""
    try:
        message = record.getMessage()
    except Exception:  # a library's malformed format string: keep the template, drop the args
        message = str(record.msg)
    record.msg, record.args = redact(message), None
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        # Formatted now, redacted, and kept as the text every Formatter prints for it.
        record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


_installed: Redactor | None = None


def install(secrets: Iterable[str | None] = ()) -> Redactor:
    """Makes every log record from now on a redacted one. Installing again only updates the
    secrets (tests and the command line may both call it)."""
    global _installed
    redactor = Redactor(secrets)
    if _installed is None:
        make = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = make(*args, **kwargs)
            if _installed is not None:
                redact_record(record, _installed)
            return record

        logging.setLogRecordFactory(factory)
    _installed = redactor
    return redactor


def uninstall() -> None:
    """Stops redacting (tests that install it put the previous factory back themselves)."""
    global _installed
    _installed = None
