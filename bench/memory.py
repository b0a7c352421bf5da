"""Memory: peak RSS (VmHWM) of the ``helpline run`` process with N conversations in progress.

The database is seeded with N users in the middle of a report (onboarded, /lapor, category,
danger, victim, country answered; the city question open): one user plays it through the
service, then that user's rows are copied for the others. Then each of the N users answers the
city question through the fake Bot API, so the bot loads, advances and stores every one of
those conversations and sends N replies; VmHWM is read afterwards."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select

from storage.db import make_engine, migrate
from storage.tables import ConversationRow, UserRow

from . import core, live
from .stats import rss_now_mb, rss_peak_mb

FIRST_USER = 3_000_000


def seed(db: Path, users: int) -> None:
    url = f"sqlite:///{db}"
    engine = make_engine(url)
    migrate(engine)
    helpline = core.Helpline(engine, core.settings(url))
    template = core.User(helpline, FIRST_USER)
    for action in core.ONBOARDING + core.REPORT[:5]:
        incoming = template.incoming(action)
        template.last = helpline.handle(template.id, incoming)  # no update id: nothing to claim
    with engine.begin() as conn:
        user = conn.execute(
            select(UserRow.__table__).where(UserRow.__table__.c.telegram_id == FIRST_USER)
        ).one()
        convo = conn.execute(
            select(ConversationRow.__table__).where(ConversationRow.__table__.c.user_id == user.id)
        ).one()
        base = {k: v for k, v in user._mapping.items() if k != "id"}
        for start in range(1, users, 1000):
            batch = range(start, min(users, start + 1000))
            conn.execute(insert(UserRow.__table__), [{**base, "telegram_id": FIRST_USER + i} for i in batch])
        ids = (
            conn.execute(select(UserRow.__table__.c.id).where(UserRow.__table__.c.id != user.id))
            .scalars()
            .all()
        )
        state = dict(convo._mapping)
        for start in range(0, len(ids), 1000):
            conn.execute(
                insert(ConversationRow.__table__),
                [{**state, "user_id": uid} for uid in ids[start : start + 1000]],
            )
    engine.dispose()


def run(users: int, *, timeout: float) -> list[object]:
    with tempfile.TemporaryDirectory(prefix="helpline-bench-") as tmp:
        db = Path(tmp) / "h.db"
        started = time.monotonic()
        seed(db, users)
        seeded = time.monotonic() - started
        with live.fake_api(users, FIRST_USER) as api, live.bot("helpline", api, db=db) as bot:
            idle_rss = rss_now_mb(bot.pid)
            since = live.call_count(api)
            t0 = time.monotonic()
            for i in range(users):
                api.push_text(FIRST_USER + i, "Johor Bahru")
            live.wait_for_sends(api, users, since, timeout=timeout, idle=20)
            took = time.monotonic() - t0
            answered = live.private_sends(api, since)
            peak = rss_peak_mb(bot.pid)
            now = rss_now_mb(bot.pid)
    return [
        f"{users:,}",
        f"{seeded:.0f}",
        f"{answered:,}/{users:,}",
        f"{took:.0f}",
        f"{idle_rss:.0f}",
        f"{now:.0f}",
        f"{peak:.0f}",
    ]


HEADERS = [
    "conversations in progress",
    "seed s",
    "replies",
    "drive s",
    "RSS idle MB",
    "RSS after MB",
    "peak RSS (VmHWM) MB",
]
