"""What an update means to the helpline core, whichever library parsed it.

Each adapter reads its own library's update objects; the decisions that only need plain values
(is this text a command, is this staff message an answer to a ticket) are made here, once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from flows.incoming import ChoiceIn, CommandIn, Incoming, TextIn

STAFF_PREFIX = "s."
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)
_REPLY_COMMAND = re.compile(r"^/reply(?:@\w+)?\s+(\S+)\s*(.*)$", re.DOTALL | re.IGNORECASE)
_VIEW_COMMAND = re.compile(r"^/(?:lihat|view)(?:@\w+)?(?:\s+(\S+))?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class PersonMessage:
    """Something a worker or family member sent in their private chat with the bot."""

    telegram_id: int
    incoming: Incoming
    reply_to_message_id: int | None = None
    # The message's place in the chat, kept so that /hapus can delete it (never what it says).
    # Not part of what the person said: the same words compare equal whatever their ids.
    message_id: int | None = field(default=None, compare=False)
    sent_at: datetime | None = field(default=None, compare=False)


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


@dataclass(frozen=True)
class StaffView:
    """An officer asked to see a ticket's card and thread with ``/lihat REF`` (``/view REF``)."""

    telegram_id: int
    chat_id: int
    ref: str


Action = PersonMessage | StaffPress | StaffReply | StaffView


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
) -> StaffReply | StaffView | None:
    """An answer to a ticket or a request to see one in a staff group, or None for the group's
    ordinary conversation."""
    view = _VIEW_COMMAND.match(text.strip())
    if view:
        # Without a reference the core answers as for an unknown ticket: a refusal that says
        # how to ask, and nothing about which tickets exist.
        return StaffView(user_id, chat_id, view.group(1) or "")
    match = _REPLY_COMMAND.match(text.strip())
    if match:
        return StaffReply(user_id, chat_id, match.group(2), ref=match.group(1))
    if replied_message_id is not None and replied_to_bot:
        return StaffReply(user_id, chat_id, text, reply_to_message_id=replied_message_id)
    return None
