"""The checks every webhook server of the helpline makes, whatever serves HTTP.

An update is answered 200 only after it was handled, so an update in flight when the process
dies is delivered again by Telegram (and the update-id log makes the repeat a no-op); the secret
token is compared in constant time; ``GET /healthz`` tells a load balancer the process is up.
Bodies are never logged: they hold personal data."""

from __future__ import annotations

import hmac
import logging
from urllib.parse import urlsplit

from bot.config import Settings

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
MAX_BODY = 1024 * 1024
HEALTH_PATH = "/healthz"


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
