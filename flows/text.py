"""Translatable message values: what the engine says, before a language is chosen.

The engine never produces finished strings. It produces ``Msg`` values (a gettext msgid plus
parameters) that a renderer turns into text in the reader's language. Plain ``str`` parameters are
always treated as untrusted user input and escaped for the output format; nested ``Msg`` values are
rendered first and inserted as they are, so markup in our own catalogs survives and markup in user
text never does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Union

Param = Union[str, int, date, datetime, timedelta, "Msg", "Country", "LocalTime", "Named"]


@dataclass(frozen=True)
class Country:
    """A country by its ISO 3166 code, named in the reader's language when rendered (the Unicode
    CLDR names that Babel ships): for countries the bot has no label of its own."""

    code: str


@dataclass(frozen=True)
class Named:
    """A name that a data file gives in each language (an agency's, from ``data/agencies.json``):
    shown in the reader's language, else in English, else the first one given. Not a gettext
    message: adding an agency must not need a catalog change."""

    names: tuple[tuple[str, str], ...]  # (language, name)

    def in_lang(self, lang: str) -> str:
        given = dict(self.names)
        return given.get(lang) or given.get("en") or (self.names[0][1] if self.names else "")


@dataclass(frozen=True)
class LocalTime:
    """A moment shown as the clock reads in time zone ``zone`` (an IANA name), without "WIB"."""

    at: datetime
    zone: str


@dataclass(frozen=True)
class Msg:
    """A message id to translate, with named ``{placeholders}`` filled from ``params``."""

    msgid: str
    params: Mapping[str, Param] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash((self.msgid, tuple(sorted(self.params))))


def M(msgid: str, /, **params: Param) -> Msg:
    """Mark ``msgid`` for translation (extracted by ``pybabel extract -k M``)."""
    return Msg(msgid, params)


def N_(msgid: str, /) -> str:
    """Mark a plain string for extraction without wrapping it (used in data tables)."""
    return msgid


Text = Msg | str | Country | Named
"""One line of a reply: a translatable message, raw user text (escaped when rendered), a
country's name, or a name a data file gives in each language."""
