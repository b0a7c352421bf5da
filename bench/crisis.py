"""Crisis burst at Telegram's real pace: the fake Bot API enforces the flood limits (429 with
retry_after past 30 messages/s overall, 1/s per private chat after a burst of 3, 20/min per
group) and the helpline runs as shipped (its own 30/s and 1/s limiter). Many users write at
once; some of them send an emergency word in the middle of the burst."""

from __future__ import annotations

import random
import time

from . import live
from .stats import percentile

FIRST_USER = 4_000_000
CHAT = ["halo", "apa kabar", "saya mau tanya"]
EMERGENCY = ["halo", "tolong saya disekap", "saya mau tanya"]


def run(users: int, updates: int, window: float, emergencies: int, *, timeout: float) -> list[list[object]]:
    rng = random.Random(5)
    # Per user: two or three messages, updates in all; the first users are the emergencies.
    scripts: dict[int, list[str]] = {}
    extra = updates - 2 * users
    for i in range(users):
        user = FIRST_USER + i
        scripts[user] = list(EMERGENCY) if i < emergencies else CHAT[: 3 if i - emergencies < extra else 2]
    # Spread the updates evenly over the window, each user's in order; emergencies mid-burst.
    slots = sorted(rng.uniform(0, window) for _ in range(sum(len(s) for s in scripts.values())))
    events: list[tuple[int, str]] = []
    pending = {u: list(s) for u, s in scripts.items() if u >= FIRST_USER + emergencies}
    for _ in slots:
        u = rng.choice(list(pending)) if pending else None
        if u is None:
            break
        events.append((u, pending[u].pop(0)))
        if not pending[u]:
            del pending[u]
    middle = len(events) // 2
    for k, user in enumerate(range(FIRST_USER, FIRST_USER + emergencies)):
        at = middle - emergencies + 2 * k
        events[at:at] = [(user, m) for m in EMERGENCY[:2]]
        events.insert(len(events) - 1 - k, (user, EMERGENCY[2]))
    step = window / len(events)
    with live.fake_api(users, FIRST_USER) as api, live.bot("helpline", api, private_rate=None, overall=None):
        api.rate_limits(True)
        counts = {}
        card = ""
        for n, script in enumerate((CHAT[:2], CHAT, EMERGENCY)):
            calibrated = live.calibrate(api, live.Script(script), FIRST_USER - 10 - n, "helpline")
            counts[tuple(script)] = calibrated.per_user
            if script is EMERGENCY:
                card = calibrated.expected[1][0][:40]
        expected = sum(counts[tuple(s)] for s in scripts.values())
        time.sleep(2)  # let the calibration's sends leave the budget window
        since = live.call_count(api)
        base_429 = api.count_429
        offered: dict[int, float] = {}
        start = time.monotonic()
        for k, (user, text) in enumerate(events):
            delay = start + k * step - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if text == EMERGENCY[1]:
                offered[user] = time.monotonic()
            api.push_text(user, text)
        offer_end = time.monotonic() - start
        live.wait_for_sends(api, expected, since, timeout=timeout, idle=30)
        with api._cond:
            calls = api._calls[since:]
        got_429 = api.count_429 - base_429
    sends = [c for c in calls if c.method in ("sendMessage", "editMessageText")]
    ok = [c for c in sends if c.ok]
    private = [
        c
        for c in ok
        if c.method == "sendMessage" and isinstance(c.params.get("chat_id"), int) and c.params["chat_id"] > 0
    ]
    end = max((c.monotonic for c in private), default=start)
    drain = end - start
    used = sum(1 for c in ok if c.method == "sendMessage") / (30 * drain) if drain else 0.0
    card_times = []
    for user, at in offered.items():
        for c in private:
            if (
                c.params["chat_id"] == user
                and c.monotonic >= at
                and str(c.params.get("text", "")).startswith(card)
            ):
                card_times.append(c.monotonic - at)
                break
    lost = expected - len(private)
    return [
        [
            f"{len(events):,}",
            f"{users:,}",
            f"{offer_end:.1f}",
            f"{len(private):,}/{expected:,}",
            f"{max(lost, 0):,}",
            f"{got_429:,} ({got_429 / max(len(sends), 1):.2%})",
            f"{drain:.0f}",
            f"{used:.0%}",
            f"{len(card_times)}/{emergencies}",
            f"{percentile(card_times, 50):.2f}",
            f"{percentile(card_times, 99):.2f}",
        ]
    ]


HEADERS = [
    "updates",
    "users",
    "offered in s",
    "replies",
    "lost",
    "429s (share of sends)",
    "drained in s",
    "30/s budget used",
    "emergency cards",
    "card p50 s",
    "card p99 s",
]
