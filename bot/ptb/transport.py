"""The outbox sender's three calls on python-telegram-bot's Bot, and its errors in neutral terms."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import timedelta
from typing import Any, TypeVar

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.delivery.transport import Blocked, Buttons, FloodWait, Rejected, Transient

T = TypeVar("T")


class PtbTransport:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send_text(self, chat_id: int, text: str, *, reply_to: int | None, buttons: Buttons) -> int:
        reply = (
            ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
            if reply_to is not None
            else None
        )
        sent = await _translated(
            self.bot.send_message(
                chat_id,
                text,
                parse_mode=ParseMode.HTML,
                reply_parameters=reply,
                reply_markup=_keyboard(buttons),
            )
        )
        return sent.message_id

    async def edit_text(self, chat_id: int, message_id: int, text: str, *, buttons: Buttons) -> None:
        await _translated(
            self.bot.edit_message_text(
                text,
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=_keyboard(buttons),
            )
        )

    async def delete_messages(self, chat_id: int, message_ids: list[int]) -> None:
        await _translated(self.bot.delete_messages(chat_id, message_ids))


async def _translated(call: Awaitable[T]) -> T:
    try:
        return await call
    except RetryAfter as exc:
        raise FloodWait(exc.message, _seconds(exc)) from exc
    except Forbidden as exc:
        raise Blocked(exc.message) from exc
    except BadRequest as exc:
        raise Rejected(exc.message) from exc
    except TelegramError as exc:
        # Network errors, timeouts, 5xx, and also InvalidToken (401/404): a configuration that
        # a person can fix while the messages wait.
        raise Transient(exc.message, type(exc).__name__) from exc


def _keyboard(rows: Buttons) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def _seconds(exc: RetryAfter) -> float:
    # A timedelta with PTB_TIMEDELTA set (run_bot sets it; the default in PTB 23), else an int.
    value: Any = exc.retry_after
    return float(value.total_seconds() if isinstance(value, timedelta) else value)
