"""The one update handler: translate, call the synchronous core, wake the sender. The core's
replies are already in the outbox; only the button answer and an officer's refusal are sent
straight away, being momentary and tied to this update."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.delivery.actions import PersonMessage, StaffReply, StaffView
from bot.delivery.core_call import call_core
from bot.delivery.core_queue import CoreQueue
from bot.delivery.sender import OutboxSender
from bot.ptb.translate import translate
from bot.service import Helpline

log = logging.getLogger(__name__)
ANSWER_LIMIT = 200  # answerCallbackQuery text limit


class UpdateHandler:
    def __init__(
        self,
        helpline: Helpline,
        sender: OutboxSender,
        bot_id: int,
        queue: CoreQueue | None = None,
        *,
        receipted: bool = False,
    ) -> None:
        """``receipted``: in webhook mode, where the webhook's own answer already answered a
        person's button press (bot/delivery/webhook.py:answered_on_receipt)."""
        self.helpline, self.sender, self.bot_id = helpline, sender, bot_id
        self.receipted = receipted
        self.queue = queue or CoreQueue()
        self.staff_chats = frozenset(helpline.staff_chats.values())

    async def __call__(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        action = translate(update, self.staff_chats, self.bot_id)
        answer: str | None = None
        if action is not None:
            if isinstance(action, PersonMessage | StaffReply) and update.effective_chat:
                await self.sender.settled(update.effective_chat.id)
            answer = await call_core(self.helpline, update.update_id, action, self.queue)
            self.sender.wake()
        query = update.callback_query
        private = query is not None and query.message is not None and query.message.chat.type == "private"
        if query is not None and not (self.receipted and private and not answer):
            # Always answered, or the officer's or worker's button keeps spinning.
            try:
                if answer:
                    await self.sender.durable.sync()  # it tells the officer what was done
                await query.answer(answer[:ANSWER_LIMIT] if answer else None)
            except TelegramError as exc:
                log.info("callback answer failed update=%s: %s", update.update_id, type(exc).__name__)
        elif isinstance(action, StaffReply | StaffView) and answer and update.message is not None:
            try:
                await update.message.reply_text(answer)
            except TelegramError as exc:
                log.info("staff refusal not sent update=%s: %s", update.update_id, type(exc).__name__)


async def log_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Errors are logged with the update id only: the update may hold personal data."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update=%s failed", update_id, exc_info=context.error)
