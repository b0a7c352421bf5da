"""The main menu and the command list: the way back from anywhere."""

from __future__ import annotations

from flows.conversation import Turn, global_button
from flows.text import M, Msg

# Canonical command -> its English alias. Both work everywhere; Indonesian is shown first.
COMMANDS: dict[str, str | None] = {
    "start": None,
    "cek": "check",
    "lapor": "report",
    "bantuan": "assist",
    "status": None,
    "info": None,
    "darurat": "emergency",
    "bahasa": "language",
    "batal": "cancel",
    "hapusdata": "deletedata",
    "hapus": "delete",
    "menu": "help",
}
ALIASES = {alias: name for name, alias in COMMANDS.items() if alias}

DESCRIPTIONS: dict[str, Msg] = {
    "start": M("Start, or start again"),
    "cek": M("Check a recruiter"),
    "lapor": M("Report abuse, a scam, trafficking or a missing relative"),
    "bantuan": M("Help after placement"),
    "status": M("My reports and answers"),
    "info": M("Safe migration information"),
    "darurat": M("Emergency numbers now"),
    "bahasa": M("Change language"),
    "batal": M("Stop what I am doing"),
    "hapusdata": M("Erase my data"),
    "hapus": M("Delete the messages of this chat"),
    "menu": M("Menu and commands"),
}


COMMAND_LINE = M("Commands: /cek /lapor /bantuan /status /info /darurat /bahasa /batal /hapus /hapusdata")


def canonical(command: str) -> str | None:
    name = command.lower()
    if name in COMMANDS:
        return name
    return ALIASES.get(name)


def show_menu(t: Turn, greeting: Msg | None = None) -> None:
    lines = [greeting] if greeting else []
    lines.append(M("What would you like to do?"))
    t.say(
        *lines,
        COMMAND_LINE,
        buttons=[
            [global_button("cek", M("Check a recruiter")), global_button("lapor", M("Report"))],
            [global_button("bantuan", M("Help after placement")), global_button("status", M("My reports"))],
            [global_button("info", M("Information")), global_button("darurat", M("Emergency"))],
            [global_button("bahasa", M("Language")), global_button("notices", M("Notices"))],
        ],
    )
