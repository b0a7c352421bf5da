"""What an update means to the helpline core, whichever library parsed it.

Each adapter reads its own library's update objects; the decisions that only need plain values
(is this text a command, is this staff message an answer to a ticket) are made here, once."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flows.incoming import ChoiceIn, CommandIn, Incoming, TextIn

STAFF_PREFIX = "s."
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)
_REPLY_COMMAND = re.compile(r"^/reply(?:@\w+)?\s+(\S+)\s*(.*)$", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True)
class PersonMessage:
    """Something a worker or family member sent in their private chat with the bot."""

    telegram_id: int
    incoming: Incoming
    reply_to_message_id: int | None = None


@dataclass(frozen=True)
class StaffPress:
    """An officer pressed a ticket card button in an agency staff group."""

    telegram_id: int
    chat_id: int
    data: str


@dataclass(frozen=True)
class StaffReply:
    """An officer answered a ticket: by replying to one of the bot's messages, or ``/reply REF``."""

    telegram_id: int
    chat_id: int
    text: str
    reply_to_message_id: int | None = None
    ref: str | None = None


Action = PersonMessage | StaffPress | StaffReply


def button_press(
    user_id: int, chat_id: int, chat_type: str, data: str, staff_chats: frozenset[int]
) -> Action | None:
    """A pressed inline button: a person's choice, an officer's card action, or nothing."""
    if chat_type == "private":
        return PersonMessage(user_id, ChoiceIn(data))
    if chat_id in staff_chats and data.startswith(STAFF_PREFIX):
        return StaffPress(user_id, chat_id, data)
    return None


def text_incoming(text: str) -> Incoming:
    """A private text: a command with its argument, or free text."""
    match = _COMMAND.match(text.strip())
    if match:
        return CommandIn(match.group(1).lower(), (match.group(2) or "").strip())
    return TextIn(text)


def staff_answer(
    user_id: int, chat_id: int, text: str, replied_message_id: int | None, replied_to_bot: bool
) -> StaffReply | None:
    """An answer to a ticket in a staff group, or None for the group's ordinary conversation."""
    match = _REPLY_COMMAND.match(text.strip())
    if match:
        return StaffReply(user_id, chat_id, match.group(2), ref=match.group(1))
    if replied_message_id is not None and replied_to_bot:
        return StaffReply(user_id, chat_id, text, reply_to_message_id=replied_message_id)
    return None
