"""The outbox sender's three calls on aiogram's Bot, and its errors in neutral terms.

aiogram neither retries nor rate-limits by itself (it raises TelegramRetryAfter at once), so the
shared sender and limiter do both, as for python-telegram-bot."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramRetryAfter,
)
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters

from bot.delivery.transport import Blocked, Buttons, FloodWait, Rejected, Transient

T = TypeVar("T")


class AiogramTransport:
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
                text=text,
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=_keyboard(buttons),
            )
        )

    async def delete_messages(self, chat_id: int, message_ids: list[int]) -> None:
        await _translated(self.bot.delete_messages(chat_id=chat_id, message_ids=message_ids))


async def _translated(call: Awaitable[T]) -> T:
    try:
        return await call
    except TelegramRetryAfter as exc:
        raise FloodWait(exc.message, float(exc.retry_after)) from exc
    except TelegramForbiddenError as exc:
        raise Blocked(exc.message) from exc
    except (TelegramBadRequest, TelegramEntityTooLarge, TelegramMigrateToChat) as exc:
        raise Rejected(exc.message) from exc
    except TelegramAPIError as exc:
        # Network errors, timeouts, 5xx, and also 401/404 (a wrong token or base URL): a
        # configuration that a person can fix while the messages wait.
        raise Transient(exc.message, type(exc).__name__) from exc
    except ClientDecodeError as exc:
        # A proxy's HTML error page instead of Telegram's JSON: as transient as a 5xx.
        raise Transient(exc.message, type(exc).__name__) from exc


def _keyboard(rows: Buttons) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=label, callback_data=data) for label, data in row] for row in rows
        ]
    )
