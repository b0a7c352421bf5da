"""Turning ``Msg`` values into text in the reader's language, for Telegram HTML or a plain terminal.

Translations are looked up through any object with ``gettext`` (a ``gettext.NullTranslations``
loaded by the caller); dates, times and durations are formatted with Babel in the same language."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta, tzinfo
from functools import cache
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.lists import format_list
from babel.units import format_unit

from flows.text import Country, LocalTime, Msg, Named, Param, Text

Format = Literal["html", "plain"]
_TAGS = re.compile(r"</?(?:b|i|u|s|code)>")
JAKARTA = ZoneInfo("Asia/Jakarta")
# Units a duration is spelled out in, largest first: (seconds, CLDR unit).
_DURATION_UNITS = (
    (86400, "duration-day"),
    (3600, "duration-hour"),
    (60, "duration-minute"),
    (1, "duration-second"),
)


class Translator(Protocol):
    def gettext(self, message: str, /) -> str: ...


class Renderer:
    """Renders for one language. ``tz`` is the zone times are shown in (WIB by default)."""

    def __init__(self, lang: str, translator: Translator, fmt: Format = "html", tz: tzinfo = JAKARTA) -> None:
        self.lang, self.translator, self.fmt, self.tz = lang, translator, fmt, tz

    def text(self, value: Text) -> str:
        if isinstance(value, str):
            return self._escape(value)
        if isinstance(value, Country):
            return self._escape(country_name(value.code, self.lang))
        if isinstance(value, Named):
            return self._escape(value.in_lang(self.lang))
        template = self.translator.gettext(value.msgid) if value.msgid else ""
        if self.fmt == "plain":
            template = html.unescape(_TAGS.sub("", template))
        params = {k: self._param(v) for k, v in value.params.items()}
        try:
            return template.format_map(params)
        except (KeyError, IndexError, ValueError):
            # A broken translation must not silence the bot: fall back to the source text.
            return value.msgid.format_map(params)

    def lines(self, values: tuple[Text, ...] | list[Text]) -> str:
        return "\n".join(self.text(v) for v in values)

    def _param(self, value: Param) -> str:
        if isinstance(value, Msg | Country | Named):
            return self.text(value)
        if isinstance(value, LocalTime):
            zone = ZoneInfo(value.zone)
            return format_datetime(value.at, "d MMM yyyy HH:mm", tzinfo=zone, locale=self.lang)
        if isinstance(value, datetime):
            return format_datetime(value, "d MMM yyyy HH:mm", tzinfo=self.tz, locale=self.lang) + (
                " WIB" if self.tz is JAKARTA else ""
            )
        if isinstance(value, date):
            return format_date(value, "d MMM yyyy", locale=self.lang)
        if isinstance(value, timedelta):
            return self._escape(self._duration(value))
        if isinstance(value, int):
            return str(value)
        return self._escape(value)

    def _duration(self, value: timedelta) -> str:
        """Whole units, largest first, never rounded: "6 jam", "1 day and 12 hours"."""
        seconds = max(int(value.total_seconds()), 0)
        parts = []
        for size, unit in _DURATION_UNITS:
            count, seconds = divmod(seconds, size)
            if count:
                parts.append(format_unit(count, unit, length="long", locale=self.lang))
        if not parts:
            parts.append(format_unit(0, "duration-second", length="long", locale=self.lang))
        return format_list(parts, locale=self.lang)

    def _escape(self, value: str) -> str:
        return html.escape(value, quote=False) if self.fmt == "html" else value


def country_name(code: str, lang: str) -> str:
    """The CLDR name of an ISO 3166 country in ``lang``; the code itself when CLDR has none."""
    return territories(lang).get(code.upper(), code)


@cache
def territories(lang: str) -> dict[str, str]:
    return {str(k): str(v) for k, v in Locale.parse(lang).territories.items()}
