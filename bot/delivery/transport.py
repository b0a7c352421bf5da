"""The three Bot API calls the outbox sender needs, and the errors it tells apart.

An adapter implements ``Transport`` with its library's Bot and turns that library's exceptions
into these four, so retry and failure bookkeeping is written once for every library."""

from __future__ import annotations

from typing import Protocol

Buttons = tuple[tuple[tuple[str, str], ...], ...]  # rows of (label, callback data)


class SendError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FloodWait(SendError):
    """429: Telegram asks to wait ``retry_after`` seconds before writing to this chat again."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Blocked(SendError):
    """403: the user blocked the bot, or the bot was removed from the group. Never retried."""


class Rejected(SendError):
    """400 and the like: Telegram will refuse this request however often it is sent."""


class Transient(SendError):
    """Network errors, timeouts, 5xx: worth trying again later. ``cause`` names the library's
    exception, which is all that is logged (a network error's text may carry the request URL,
    and the URL holds the bot token)."""

    def __init__(self, message: str, cause: str) -> None:
        super().__init__(f"{cause}: {message}")
        self.cause = cause


class Transport(Protocol):
    async def send_text(self, chat_id: int, text: str, *, reply_to: int | None, buttons: Buttons) -> int:
        """Sends an HTML message; its message id."""
        ...

    async def edit_text(self, chat_id: int, message_id: int, text: str, *, buttons: Buttons) -> None:
        """Replaces an HTML message's text and buttons."""
        ...

    async def delete_messages(self, chat_id: int, message_ids: list[int]) -> None:
        """Deletes 1-100 messages of a chat (Bot API ``deleteMessages``): ids Telegram cannot
        find are skipped; one it will not delete (sent 48 hours ago or more) makes the whole
        call fail with ``Rejected``."""
        ...
