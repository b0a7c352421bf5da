"""Turns an aiogram Update into what the helpline core understands, and nothing more.

The same decisions as the python-telegram-bot adapter's translate.py, read from aiogram's
objects; the decisions on plain values are shared in bot/delivery/actions.py."""

from __future__ import annotations

from dataclasses import replace

from aiogram.types import Message, Update

from bot.delivery.actions import Action, PersonMessage, button_press, staff_answer, text_incoming
from flows.incoming import AttachmentIn, ContactIn, Incoming, LocationIn


def ordering_key(update: Update) -> int | None:
    """Updates with the same key are handled strictly one after another: one person's messages
    (wherever they write) must never overtake each other."""
    if update.callback_query is not None:
        return update.callback_query.from_user.id
    message = update.message
    if message is not None:
        return message.from_user.id if message.from_user is not None else message.chat.id
    return None


def translate(update: Update, staff_chats: frozenset[int], bot_id: int) -> Action | None:
    """The core's view of ``update``; None when it is not for the helpline."""
    query = update.callback_query
    if query is not None:
        if query.message is None or query.data is None:
            return None
        chat = query.message.chat
        return button_press(query.from_user.id, chat.id, chat.type, query.data, staff_chats)
    message = update.message
    if message is None or message.from_user is None or message.from_user.is_bot:
        return None
    if message.chat.type == "private":
        incoming = person_incoming(message)
        if incoming is None:
            return None
        reply_to = message.reply_to_message.message_id if message.reply_to_message else None
        return PersonMessage(message.from_user.id, incoming, reply_to, message.message_id, message.date)
    if message.chat.id in staff_chats and message.text is not None:
        replied = message.reply_to_message
        return staff_answer(
            message.from_user.id,
            message.chat.id,
            message.text,
            replied.message_id if replied is not None else None,
            replied is not None and replied.from_user is not None and replied.from_user.id == bot_id,
        )
    return None


def person_incoming(message: Message) -> Incoming | None:
    """A private message as the engine's incoming; files are kept by Telegram file id only."""
    if message.text is not None:
        return text_incoming(message.text)
    if message.location is not None:
        return LocationIn(message.location.latitude, message.location.longitude)
    if message.contact is not None:
        return ContactIn(message.contact.phone_number)
    attachment = _attachment(message)
    if attachment is not None and message.caption:
        return replace(attachment, caption=message.caption)
    return attachment


def _attachment(message: Message) -> AttachmentIn | None:
    if message.photo:
        # Telegram sends every resolution; the largest is the one worth keeping as evidence.
        largest = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        return AttachmentIn("photo", largest.file_id, "image/jpeg", largest.file_size)
    if message.document is not None:
        doc = message.document
        return AttachmentIn("document", doc.file_id, doc.mime_type, doc.file_size, doc.file_name)
    if message.voice is not None:
        voice = message.voice
        return AttachmentIn("voice", voice.file_id, voice.mime_type, voice.file_size)
    if message.video is not None:
        video = message.video
        return AttachmentIn("video", video.file_id, video.mime_type, video.file_size, video.file_name)
    if message.audio is not None:
        audio = message.audio
        return AttachmentIn("audio", audio.file_id, audio.mime_type, audio.file_size, audio.file_name)
    return None
