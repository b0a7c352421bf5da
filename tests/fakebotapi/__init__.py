"""Fake Telegram Bot API server for end-to-end tests of the PMI Helpline bot.

Start it with ``with FakeBotApi() as api:`` and point the bot at ``api.base_url``
(``TELEGRAM_API_BASE_URL``); see :mod:`tests.fakebotapi.server` for the full test-side API.
Run ``python -m tests.fakebotapi --port 8081`` for a standalone server for manual trials.
"""

from .engine import TINY_PNG
from .server import DEFAULT_TOKEN, Call, FakeBotApi
from .spec import ApiError, load_spec

__all__ = ["DEFAULT_TOKEN", "TINY_PNG", "ApiError", "Call", "FakeBotApi", "load_spec"]
