"""What an officer is told after a staff action (a card's button, a command, the console), pure:
the answer shown to the one who acted, never sent to the reporter. The service (bot/service.py,
bot/care.py) decides which; the words live here with every other user-facing text."""

from __future__ import annotations

from flows.text import M, Msg
from flows.vocab import agency_name

NOTHING_CHANGED = M("Nothing changed.")
NOT_ALLOWED = M("You are not allowed to do this.")
BUTTON_NOT_VALID = M("This button is not valid.")
ALREADY_TAKEN = M("Someone else has already taken this ticket.")
CLOSED = M("Closed.")
REOPENED = M("Reopened.")
MARKED_RESOLVED = M("Marked as resolved.")
NO_TRANSFER_TARGET = M("No other agency may take over this ticket.")
CHOOSE_UNDER_CARD = M("Choose the agency under the card.")
CHOOSE_TARGET = M("Choose the agency to transfer to.")
CANNOT_MERGE = M("These two tickets cannot be merged.")
NOT_ALLOWED_TO_ANSWER = M("You are not allowed to answer this ticket.")
EMPTY_ANSWER = M("The answer is empty.")
NOT_ALLOWED_TO_SEE = M("You are not allowed to see this ticket.")
VIEW_USAGE = M("Write the ticket reference after the command: /lihat PMI-XXXX-XXXX")


def assigned(name: str) -> Msg:
    return M("Assigned to {name}.", name=name)


def transferred(agency: str) -> Msg:
    return M("Transferred to {agency}.", agency=agency_name(agency))


def transferred_without_chat(agency: str) -> Msg:
    """The new owner has no staff chat (an optional one, such as Imigrasi's): no card tells it."""
    return M(
        "Transferred to {agency}. It has no staff chat: its officers see the ticket only in the console.",
        agency=agency_name(agency),
    )


def taken(ref: str) -> Msg:
    return M("You have taken {ref}.", ref=ref)


def merged(old: str, ref: str) -> Msg:
    return M("{old} is merged into {ref}.", old=old, ref=ref)
