"""What a load balancer and monitoring ask the webhook server, whatever serves HTTP.

``GET /livez``: the process answers (restart it if not). ``GET /readyz``: it can do its work,
the database answers and its schema is current (send it no updates if not). ``GET /metrics``:
Prometheus's text (bot/metrics.py). The proxy in front passes only the webhook's path on to the
internet; these stay on the internal network."""

from __future__ import annotations

import logging

from sqlalchemy import Engine

from bot.metrics import CONTENT_TYPE, exposition
from storage.db import schema_is_current

log = logging.getLogger(__name__)
LIVE_PATH = "/livez"
READY_PATH = "/readyz"
METRICS_PATH = "/metrics"


def readiness(engine: Engine) -> tuple[int, dict[str, object]]:
    """HTTP status and body of ``/readyz`` (blocks on the database: run it in a thread)."""
    try:
        current = schema_is_current(engine)
    except Exception as exc:
        # The error's type only: a driver's message may carry the database URL.
        log.warning("readiness: database unreachable (%s)", type(exc).__name__)
        return 503, {"ok": False, "database": "unreachable"}
    if not current:
        return 503, {"ok": False, "database": "not migrated"}
    return 200, {"ok": True}


def metrics(engine: Engine) -> tuple[int, bytes, str]:
    """HTTP status, body and content type of ``/metrics`` (blocks: run it in a thread)."""
    try:
        return 200, exposition(engine), CONTENT_TYPE
    except Exception as exc:
        log.warning("metrics: database figures failed (%s)", type(exc).__name__)
        return 503, b"database unreachable\n", "text/plain; charset=utf-8"
