"""The outbox sender's three calls on python-telegram-bot's Bot, and its errors in neutral terms.

Messages are sent with ``Bot.do_api_request``, which returns Telegram's answer as JSON, rather
than ``Bot.send_message``, which turns it into a ``Message``: the sender needs only the message
id, and building the ``Message`` was half the cost of a send (an eighth of the bot's CPU in the
end-to-end benchmark, README, Performance). The keyboard goes as the JSON Telegram reads, for the
same reason. The request is python-telegram-bot's as before: same encoding, same errors."""

from __future__ import annotations

import warnings
from collections.abc import Awaitable
from datetime import timedelta
from typing import Any, TypeVar

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.warnings import PTBUserWarning

from bot.delivery.transport import Blocked, Buttons, FloodWait, Rejected, Transient

T = TypeVar("T")
# do_api_request suggests the typed method for a method the library has; here on purpose.
warnings.filterwarnings(
    "ignore", message=r"Please use 'Bot\.(sendMessage|editMessageText)'", category=PTBUserWarning
)


class PtbTransport:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send_text(self, chat_id: int, text: str, *, reply_to: int | None, buttons: Buttons) -> int:
        params: dict[str, Any] = {"chat_id": chat_id, "text": text, "parse_mode": ParseMode.HTML}
        if reply_to is not None:
            params["reply_parameters"] = {"message_id": reply_to, "allow_sending_without_reply": True}
        if buttons:
            params["reply_markup"] = _keyboard(buttons)
        sent = await _translated(self.bot.do_api_request("sendMessage", api_kwargs=params))
        return int(sent["message_id"])

    async def edit_text(self, chat_id: int, message_id: int, text: str, *, buttons: Buttons) -> None:
        params: dict[str, Any] = {
            "chat_id": chat_id,
            "message_id": message_id,
            "text": text,
            "parse_mode": ParseMode.HTML,
        }
        if buttons:
            params["reply_markup"] = _keyboard(buttons)
        await _translated(self.bot.do_api_request("editMessageText", api_kwargs=params))

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


def _keyboard(rows: Buttons) -> dict[str, Any]:
    """An InlineKeyboardMarkup as Telegram reads it: building the library's objects for it (each
    frozen, every attribute checked) cost more than the rest of the request."""
    return {
        "inline_keyboard": [[{"text": label, "callback_data": data} for label, data in row] for row in rows]
    }


def _seconds(exc: RetryAfter) -> float:
    # A timedelta with PTB_TIMEDELTA set (run_bot sets it; the default in PTB 23), else an int.
    value: Any = exc.retry_after
    return float(value.total_seconds() if isinstance(value, timedelta) else value)
