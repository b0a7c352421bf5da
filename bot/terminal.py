"""``helpline chat``: the same flows, database and languages in a terminal, buttons as numbers."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console

from bot.outgoing import Outgoing
from bot.service import Helpline
from flows.incoming import ChoiceIn, CommandIn, Incoming, LocationIn, TextIn

TERMINAL_USER = 1  # one local person; Telegram user ids are never this small in practice

HELP = (
    "Type as you would in Telegram. /commands work; a number presses a button; "
    "'loc LAT,LON' sends a location; Ctrl-D or /quit leaves."
)


def parse_line(line: str, buttons: list[str]) -> Incoming | None:
    """Terminal input -> an incoming message. None when there is nothing to send."""
    text = line.strip()
    if not text:
        return None
    if text.isdigit() and 1 <= int(text) <= len(buttons):
        return ChoiceIn(buttons[int(text) - 1])
    if text.startswith("/"):
        name, _, args = text[1:].partition(" ")
        return CommandIn(name.split("@")[0].lower(), args.strip())
    if text.lower().startswith("loc "):
        try:
            lat, lon = (float(p) for p in text[4:].split(","))
            return LocationIn(lat, lon)
        except ValueError:
            pass
    return TextIn(text)


def show(console: Console, messages: list[Outgoing]) -> list[str]:
    """Print replies; return the callback data of the buttons, numbered from 1."""
    buttons: list[str] = []
    for message in messages:
        if message.kind == "delete_chat":
            # /hapus: Telegram would delete the bot's messages; a terminal cannot.
            console.print("bot: (the messages of this chat are deleted)", markup=False)
            continue
        console.print("bot: " + message.text, markup=False, highlight=False)
        for row in message.buttons:
            cells = []
            for label, data in row:
                buttons.append(data)
                cells.append(f"[{len(buttons)}] {label}")
            console.print("     " + "   ".join(cells), markup=False, highlight=False)
    return buttons


def run_chat(
    helpline: Helpline,
    lang: str | None = None,
    *,
    read: Callable[[str], str] = input,
    console: Console | None = None,
) -> None:
    console = console or Console()
    console.print(HELP, markup=False)
    first: Incoming = ChoiceIn(f"g.lang.{lang}") if lang else CommandIn("start")
    buttons = show(console, helpline.handle(TERMINAL_USER, first))
    while True:
        try:
            line = read("you: ")
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        if line.strip() in ("/quit", "/exit"):
            return
        incoming = parse_line(line, buttons)
        if incoming is None:
            continue
        buttons = show(console, helpline.handle(TERMINAL_USER, incoming)) or buttons
