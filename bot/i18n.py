"""Loads the gettext catalogs in ``locales/`` straight from the .po files (no compile step to forget)."""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from flows.render import Format, Renderer

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES = ("id", "en")
DOMAIN = "messages"


def load_translations(lang: str, locales_dir: Path = LOCALES_DIR) -> gettext.NullTranslations:
    """The catalog of ``lang``; an absent catalog falls back to the source (English) text."""
    po = locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@cache
def translations(lang: str) -> gettext.NullTranslations:
    return load_translations(lang if lang in LANGUAGES else LANGUAGES[0])


def renderer(lang: str, fmt: Format = "html") -> Renderer:
    return Renderer(lang if lang in LANGUAGES else LANGUAGES[0], translations(lang), fmt)
