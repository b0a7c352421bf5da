"""The checks every webhook server of the helpline makes, whatever serves HTTP.

An update is answered 200 only after it was handled, so an update in flight when the process
dies is delivered again by Telegram (and the update-id log makes the repeat a no-op); the secret
token is compared in constant time; ``GET /healthz`` tells a load balancer the process is up.
Bodies are never logged: they hold personal data."""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

from bot.config import Settings
from bot.delivery.salvage import forget_kept, keep_raw, parse_or_salvage
from storage.inbox import Inbox

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
MAX_BODY = 1024 * 1024
HEALTH_PATH = "/healthz"
# Update ids are stored as BIGINT (processed_updates, incoming_updates); Telegram's are far below.
MAX_UPDATE_ID = 2**63 - 1
U = TypeVar("U")


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


async def handle_update(
    data: Mapping[str, Any],
    parse: Callable[[Mapping[str, Any]], U],
    process: Callable[[U], Awaitable[None]],
    *,
    inbox: Inbox | None,
    sync: Callable[[], Awaitable[None]] | None,
) -> None:
    """Handles a webhook's update; when it returns, the caller answers 200. An update the
    library cannot read whole is kept raw while in hand and handled as well as the core can
    (bot/delivery/salvage.py); once handled and on disk (``sync``), it is removed. A failure
    leaves it kept: the caller answers 500, Telegram delivers it again, and it is removed then."""
    update, whole = parse_or_salvage(data, parse)
    if not whole:
        await keep_raw(inbox, data)
    if update is not None:
        await process(update)
    if sync is not None:
        await sync()  # the answer confirms the update to Telegram
    if not whole:
        await forget_kept(inbox, int(data["update_id"]))
