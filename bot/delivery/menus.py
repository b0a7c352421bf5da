"""The localized command menus (setMyCommands per language), as plain pairs for any library."""

from __future__ import annotations

from bot.i18n import renderer
from flows.menu import COMMANDS, DESCRIPTIONS

# The default menu (Indonesian) and English for clients set to English.
MENU_LANGUAGES = (("id", None), ("en", "en"))


def command_menus() -> list[tuple[str | None, list[tuple[str, str]]]]:
    """(Telegram language code or None for the default, [(command, description)])."""
    menus: list[tuple[str | None, list[tuple[str, str]]]] = []
    for lang, code in MENU_LANGUAGES:
        render = renderer(lang, "plain")
        menus.append((code, [(name, render.text(DESCRIPTIONS[name])) for name in COMMANDS]))
    return menus
