"""The one update handler, registered on aiogram's Dispatcher for messages and button presses:
translate, call the synchronous core, wake the sender. The core's replies are already in the
outbox; only the button answer and an officer's refusal are sent straight away, being momentary
and tied to this update."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import AiogramError
from aiogram.types import ReplyParameters, TelegramObject, Update

from bot.aiogram_rt.translate import translate
from bot.delivery.actions import PersonMessage, StaffReply, StaffView
from bot.delivery.core_call import call_core
from bot.delivery.core_queue import CoreQueue
from bot.delivery.sender import OutboxSender
from bot.service import Helpline

log = logging.getLogger(__name__)
ANSWER_LIMIT = 200  # answerCallbackQuery text limit


class UpdateHandler:
    def __init__(
        self,
        helpline: Helpline,
        sender: OutboxSender,
        bot: Bot,
        bot_id: int,
        queue: CoreQueue | None = None,
        *,
        receipted: bool = False,
    ) -> None:
        """``receipted``: in webhook mode, where the webhook's own answer already answered a
        person's button press (bot/delivery/webhook.py:answered_on_receipt)."""
        self.helpline, self.sender, self.bot, self.bot_id = helpline, sender, bot, bot_id
        self.receipted = receipted
        self.queue = queue or CoreQueue()
        self.staff_chats = frozenset(helpline.staff_chats.values())

    async def on_event(self, event: TelegramObject, event_update: Update) -> None:
        """aiogram passes the message or callback query; the whole update is what translates."""
        await self.handle(event_update)

    async def handle(self, update: Update) -> None:
        action = translate(update, self.staff_chats, self.bot_id)
        answer: str | None = None
        if action is not None:
            chat_id = _chat_id(update)
            if isinstance(action, PersonMessage | StaffReply) and chat_id is not None:
                await self.sender.settled(chat_id)
            answer = await call_core(self.helpline, update.update_id, action, self.queue)
            self.sender.wake()
        query = update.callback_query
        private = query is not None and query.message is not None and query.message.chat.type == "private"
        if query is not None and not (self.receipted and private and not answer):
            # Always answered, or the officer's or worker's button keeps spinning.
            try:
                if answer:
                    await self.sender.durable.sync()  # it tells the officer what was done
                await self.bot.answer_callback_query(query.id, text=answer[:ANSWER_LIMIT] if answer else None)
            except AiogramError as exc:
                log.info("callback answer failed update=%s: %s", update.update_id, type(exc).__name__)
        elif isinstance(action, StaffReply | StaffView) and answer and update.message is not None:
            try:
                await self.bot.send_message(
                    update.message.chat.id,
                    answer,
                    reply_parameters=ReplyParameters(
                        message_id=update.message.message_id, allow_sending_without_reply=True
                    ),
                )
            except AiogramError as exc:
                log.info("staff refusal not sent update=%s: %s", update.update_id, type(exc).__name__)


def _chat_id(update: Update) -> int | None:
    if update.message is not None:
        return update.message.chat.id
    query = update.callback_query
    return query.message.chat.id if query is not None and query.message is not None else None
