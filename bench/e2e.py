"""End to end: the real ``helpline run`` process and a bare echo bot on the same library, each
against the fake Bot API with 0 ms and 50 ms added to every API call. Users each send the same
few commands at once (an open loop: everything is offered, then the replies are awaited); per
user, the replies must come back in the order of the messages."""

from __future__ import annotations

import time
from dataclasses import dataclass

from . import live
from .stats import percentile

# Commands whose answers do not depend on timing; distinct, so order is checkable.
MESSAGES = ["/info", "/cek", "/bahasa", "/menu", "/batal"]
FIRST_USER = 2_000_000
CALIBRATION_USER = 1_999_999


@dataclass
class E2EResult:
    bot: str
    latency_ms: int
    users: int
    updates: int
    replies: int
    expected: int
    seconds: float
    latencies: list[float]
    order_ok: int
    rss_mb: float

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0


def run(kind: str, latency: float, users: int, *, timeout: float) -> E2EResult:
    with live.fake_api(users, FIRST_USER, latency) as api, live.bot(kind, api) as bot:
        script = live.calibrate(api, live.Script(MESSAGES), CALIBRATION_USER, kind)
        since = live.call_count(api)
        offered: dict[tuple[int, int], float] = {}
        start = time.monotonic()
        for index, message in enumerate(MESSAGES):
            for user in range(FIRST_USER, FIRST_USER + users):
                offered[(user, index)] = time.monotonic()
                api.push_text(user, message)
        expected_total = users * script.per_user
        live.wait_for_sends(api, expected_total, since, timeout=timeout, idle=15)
        got = live.replies(api, since)
        rss = _peak_rss(bot.pid)
    latencies: list[float] = []
    order_ok = 0
    last = start
    for user in range(FIRST_USER, FIRST_USER + users):
        calls = got.get(user, [])
        texts = [c.params["text"] for c in calls]
        if texts == [t for reply in script.expected for t in reply]:
            order_ok += 1
        position = 0
        for index, reply in enumerate(script.expected):
            done = calls[position : position + len(reply)]
            position += len(reply)
            if len(done) == len(reply) and done:
                latencies.append(done[-1].monotonic - offered[(user, index)])
        if calls:
            last = max(last, calls[-1].monotonic)
    received = sum(len(v) for v in got.values())
    return E2EResult(
        kind,
        round(latency * 1000),
        users,
        users * len(MESSAGES),
        received,
        expected_total,
        last - start,
        latencies,
        order_ok,
        rss,
    )


def _peak_rss(pid: int) -> float:
    from .stats import rss_peak_mb

    try:
        return rss_peak_mb(pid)
    except OSError:
        return 0.0


HEADERS = [
    "API latency",
    "bot",
    "users",
    "updates",
    "replies",
    "updates/s",
    "p50 ms",
    "p99 ms",
    "order kept",
    "helpline/echo",
]


def rows(results: list[E2EResult]) -> list[list[object]]:
    echo = {r.latency_ms: r for r in results if r.bot == "echo"}
    out = []
    for r in results:
        ratio = ""
        if r.bot == "helpline" and r.latency_ms in echo and echo[r.latency_ms].rate:
            ratio = f"{r.rate / echo[r.latency_ms].rate:.2f}x speed"
        out.append(
            [
                f"{r.latency_ms} ms",
                r.bot,
                f"{r.users:,}",
                f"{r.updates:,}",
                f"{r.replies:,}/{r.expected:,}",
                f"{r.rate:,.0f}",
                f"{percentile(r.latencies, 50) * 1000:.0f}",
                f"{percentile(r.latencies, 99) * 1000:.0f}",
                f"{r.order_ok:,}/{r.users:,}",
                ratio,
            ]
        )
    return out
