"""The checks every webhook server of the helpline makes, whatever serves HTTP.

An update is answered 200 only after it was stored and is on disk, so an update in flight when
the process dies is delivered again by Telegram (stored once; the update-id log makes any repeat
a no-op), and one elected process handles what was stored (bot/delivery/stored.py); the secret
token is compared in constant time; ``GET /healthz`` tells a load balancer the process is up.
Bodies are never logged: they hold personal data."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from bot.config import Settings
from storage.inbox import Inbox

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
MAX_BODY = 1024 * 1024
HEALTH_PATH = "/healthz"
# Update ids are stored as BIGINT (processed_updates, incoming_updates); Telegram's are far below.
MAX_UPDATE_ID = 2**63 - 1


def webhook_path(url: str) -> str:
    """The path Telegram posts to: the public URL's path, which the proxy passes through."""
    return urlsplit(url).path.rstrip("/") or "/telegram"


def secret_matches(given: str | None, secret: str | None) -> bool:
    """No secret configured accepts everything (webhook_url warned about that at start)."""
    if secret is None:
        return True
    return hmac.compare_digest((given or "").encode(), secret.encode())


def webhook_url(settings: Settings) -> str:
    """The public URL to register, after warning about settings that make it unsafe."""
    url = settings.telegram_webhook_url
    if not url:
        raise SystemExit("helpline run --webhook needs TELEGRAM_WEBHOOK_URL")
    if not url.startswith("https://"):
        log.warning("TELEGRAM_WEBHOOK_URL is not HTTPS; Telegram only posts to HTTPS URLs")
    if not settings.telegram_webhook_secret:
        log.warning("TELEGRAM_WEBHOOK_SECRET is not set: anyone who finds the URL can post updates")
    return url


def declared_too_large(content_length: str | None) -> bool:
    """Whether a request's ``Content-Length`` says more than MAX_BODY: refused (413) before any
    of the body is read. A value that is no number is left to the HTTP server, which refuses it."""
    try:
        return content_length is not None and int(content_length) > MAX_BODY
    except ValueError:
        return False


def update_object(body: bytes) -> dict[str, Any] | None:
    """The update a webhook body holds, or None for a body no Telegram update can be: not JSON,
    nested too deep to decode (Python's decoder raises RecursionError, which would be a 500 and
    a stack trace), not an object, or without an ``update_id`` the database can store. The
    caller answers None with 400, logging nothing of the body."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return None
    if not 0 <= update_id <= MAX_UPDATE_ID:
        return None
    return data


def answered_on_receipt(data: Mapping[str, Any]) -> str | None:
    """The id of a person's button press that the webhook's own answer stops spinning, or None.

    Telegram lets the answer to a webhook request carry one Bot API call ("Making requests when
    getting updates"), so a press in a private chat is answered with an empty
    ``answerCallbackQuery`` at once, when it is stored: in a burst the handler may reach it only
    seconds later, and the person's button would spin until then. A press in a staff group is not:
    its answer tells the officer what was done, which only the handler knows."""
    query = data.get("callback_query")
    if not isinstance(query, Mapping) or not isinstance(query.get("id"), str):
        return None
    message = query.get("message")
    chat = message.get("chat") if isinstance(message, Mapping) else None
    if not isinstance(chat, Mapping) or chat.get("type") != "private":
        return None
    return str(query["id"])


def receipt_body(data: Mapping[str, Any]) -> dict[str, str] | None:
    """What the webhook answers with its 200: the call of ``answered_on_receipt``, if any."""
    query_id = answered_on_receipt(data)
    if query_id is None:
        return None
    return {"method": "answerCallbackQuery", "callback_query_id": query_id}


async def receive(
    data: Mapping[str, Any],
    inbox: Inbox,
    *,
    sync: Callable[[], Awaitable[None]] | None,
    stored: asyncio.Event | None = None,
) -> None:
    """Stores a webhook's update (encrypted, as Telegram sent it); when it returns, the caller
    answers 200 and one elected process handles it (bot/delivery/stored.py). ``stored`` is set
    for this process's handler, which then looks at once. A failure raises: the caller answers
    500 and Telegram delivers the update again (stored once). Even an update the library cannot
    read is stored whole: the handler reads what it can of it (bot/delivery/salvage.py)."""
    payload = json.dumps(data, ensure_ascii=False)
    await asyncio.to_thread(inbox.store, [(int(data["update_id"]), payload)], datetime.now(UTC))
    if sync is not None:
        await sync()  # the answer confirms the update to Telegram
    if stored is not None:
        stored.set()
