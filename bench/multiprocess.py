"""Several ``helpline run --webhook`` processes on one PostgreSQL database (README, Running in
production), against the fake Bot API. This script plays Telegram's webhook delivery: each
update goes to one of the processes at random, a person's next one only after the last was
answered (a process answers once the update is stored; one elected process handles them all,
bot/delivery/stored.py). Two measures: updates/s end to end with 1, 2 and 3 processes at 50 ms API latency
(limits lifted, per-person order checked), and the crisis burst with 3 processes at Telegram's
real limits (the fake answers 429 past them; the processes share one budget through Redis)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import httpx
import redis

from tests.fakebotapi.server import FakeBotApi
from tests.support.ports import free_ports

from . import core, live
from .stats import percentile

SECRET = "bench-multiprocess"
HOOK = "/hook/telegram"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
CHAT = ["halo", "apa kabar", "saya mau tanya"]
EMERGENCY = ["halo", "tolong saya disekap", "saya mau tanya"]
FIRST_USER = 6_000_000


def redis_available() -> bool:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1.0)
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False
    finally:
        client.close()


@contextlib.contextmanager
def fleet(api: FakeBotApi, count: int, *, limits: bool) -> Iterator[list[int]]:
    """``count`` webhook processes on a fresh PostgreSQL database; their ports. ``limits``:
    Telegram's (30/s, 1/s per chat) as shipped, else lifted."""
    with core.postgres_url() as url, tempfile.TemporaryDirectory(prefix="helpline-mp-") as tmp:
        env = live.helpline_env(
            api,
            Path(tmp) / "unused.db",
            private_rate=None if limits else 1000.0,
            overall=None if limits else 100_000,
        )
        env |= {
            "DATABASE_URL": url,
            "TELEGRAM_WEBHOOK_URL": f"https://helpline.example.org{HOOK}",
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "HELPLINE_MIGRATE_ON_START": "false",
        }
        if redis_available():
            env |= {"REDIS_URL": REDIS_URL, "HELPLINE_REDIS_PREFIX": f"bench:{secrets.token_hex(4)}:"}
        helpline = str(Path(sys.executable).with_name("helpline"))
        subprocess.run([helpline, "db", "migrate"], env=env, cwd=live.ROOT, check=True, capture_output=True)
        ports = free_ports(count)
        procs = []
        for index, port in enumerate(ports):
            log = (Path(tmp) / f"bot{index}.log").open("ab")
            procs.append(
                subprocess.Popen(
                    [helpline, "run", "--webhook"],
                    env={**env, "TELEGRAM_WEBHOOK_PORT": str(port), "HELPLINE_INSTANCE": f"bench-{index}"},
                    cwd=live.ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            log.close()
        try:
            deadline = time.monotonic() + 90
            for port in ports:
                while not _ready(port):
                    if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                        logs = "\n".join(
                            (Path(tmp) / f"bot{i}.log").read_text()[-2000:] for i in range(count)
                        )
                        raise RuntimeError(f"a bot process did not start:\n{logs}")
                    time.sleep(0.1)
            yield ports
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()


def _ready(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


async def _deliver(
    client: aiohttp.ClientSession,
    ports: list[int],
    update: dict[str, object],
    rng: random.Random,
    api: FakeBotApi | None = None,
) -> None:
    for _ in range(100):
        port = rng.choice(ports)
        with contextlib.suppress(aiohttp.ClientError):
            async with client.post(
                f"http://127.0.0.1:{port}{HOOK}",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            ) as answer:
                body = await answer.read()
                if answer.status == 200:
                    if api is not None:
                        api.webhook_reply(body)  # a person's button, answered in the reply
                    return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"update {update['update_id']} was never answered")


def _client(timeout: float) -> aiohttp.ClientSession:
    """Telegram's side of the webhook. aiohttp, not httpx: httpx's connection pool spends time
    in proportion to its open connections on every request, and with a few hundred people
    writing at once this process (which also runs the fake Bot API) delivered at most 40–70
    updates/s, whatever the number of bot processes; aiohttp delivers 500–670/s here."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=400), timeout=aiohttp.ClientTimeout(total=timeout)
    )


async def _person(
    api: FakeBotApi,
    client: aiohttp.ClientSession,
    ports: list[int],
    user: int,
    script: list[tuple[float, str]],
    start: float,
    offered: dict[tuple[int, str], float],
    rng: random.Random,
) -> None:
    """Sends ``script`` (offset in seconds from ``start``, text), each after the last answered."""
    for at, text in script:
        delay = start + at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        update_id = api.push_text(user, text)
        offered[(user, text)] = time.monotonic()
        await _deliver(client, ports, api.take_update(update_id), rng, api)


def _replies(api: FakeBotApi, users: list[int], since: int) -> dict[int, list[str]]:
    got = live.replies(api, since)
    return {user: [str(c.params.get("text", "")) for c in got.get(user, [])] for user in users}


def _calibrate(api: FakeBotApi, ports: list[int], messages: list[str], user: int) -> list[list[str]]:
    """The replies one person gets to each of ``messages``, sent one at a time."""
    api.add_private_chat(user)
    replies: list[list[str]] = []

    async def go() -> None:
        async with _client(60) as client:
            for text in messages:
                before = live.call_count(api)
                await _deliver(client, ports, api.take_update(api.push_text(user, text)), random.Random(1))
                await asyncio.to_thread(live.wait_for_sends, api, 10**6, before, timeout=10, idle=0.6)
                replies.append(_replies(api, [user], before)[user])

    asyncio.run(go())
    return replies


def throughput(processes: int, users: int) -> list[object]:
    """Updates/s end to end at 50 ms latency, limits lifted, every person at once."""
    with live.fake_api(users, FIRST_USER, latency=0.05) as api, fleet(api, processes, limits=False) as ports:
        expected = [text for replies in _calibrate(api, ports, CHAT, FIRST_USER - 1) for text in replies]
        people = [FIRST_USER + i for i in range(users)]
        since = live.call_count(api)
        start = time.monotonic()

        async def go() -> None:
            async with _client(60) as client:
                rng = random.Random(3)
                await asyncio.gather(
                    *(
                        _person(api, client, ports, u, [(0.0, m) for m in CHAT], start, {}, rng)
                        for u in people
                    )
                )

        asyncio.run(go())
        live.wait_for_sends(api, users * len(expected), since, timeout=120, idle=20)
        elapsed = time.monotonic() - start
        got = _replies(api, people, since)
    in_order = sum(1 for u in people if got[u] == expected)
    return [
        processes,
        f"{users:,}",
        f"{users * len(CHAT):,}",
        f"{users * len(CHAT) / elapsed:.0f}",
        f"{sum(len(r) for r in got.values()):,}/{users * len(expected):,}",
        f"{in_order}/{users}",
    ]


THROUGHPUT_HEADERS = ["processes", "users", "updates", "updates/s", "replies", "per-user order kept"]


def crisis(users: int, window: float, emergencies: int) -> list[object]:
    """The crisis burst with 3 processes at Telegram's limits: everyone writes within
    ``window`` seconds; the first ``emergencies`` people write words of danger mid-burst."""
    rng = random.Random(5)
    people = [FIRST_USER + i for i in range(users)]
    scripts: dict[int, list[tuple[float, str]]] = {}
    for n, user in enumerate(people):
        texts = EMERGENCY if n < emergencies else CHAT
        first = window / 2 + rng.uniform(-0.5, 0.5) if n < emergencies else rng.uniform(0, window)
        scripts[user] = [(first + k * 0.3, text) for k, text in enumerate(texts)]
    with live.fake_api(users, FIRST_USER) as api, fleet(api, 3, limits=True) as ports:
        api.rate_limits(True)
        chat = sum(len(replies) for replies in _calibrate(api, ports, CHAT, FIRST_USER - 1))
        danger_replies = _calibrate(api, ports, EMERGENCY, FIRST_USER - 2)
        danger = sum(len(replies) for replies in danger_replies)
        card = danger_replies[1][0][:40]
        time.sleep(2)  # the calibration's sends leave the budget's window
        since, base_429 = live.call_count(api), api.count_429
        expected = sum(danger if n < emergencies else chat for n in range(users))
        offered: dict[tuple[int, str], float] = {}
        start = time.monotonic()

        async def go() -> None:
            async with _client(120) as client:
                await asyncio.gather(
                    *(_person(api, client, ports, u, s, start, offered, rng) for u, s in scripts.items())
                )

        asyncio.run(go())
        offer_end = time.monotonic() - start
        live.wait_for_sends(api, expected, since, timeout=420, idle=30)
        with api._cond:
            calls = api._calls[since:]
        got_429 = api.count_429 - base_429
    sends = [c for c in calls if c.method in ("sendMessage", "editMessageText")]
    private = [c for c in sends if c.ok and c.method == "sendMessage" and int(c.params.get("chat_id", 0)) > 0]
    drain = max((c.monotonic for c in private), default=start) - start
    used = sum(1 for c in sends if c.ok and c.method == "sendMessage") / (30 * drain) if drain else 0.0
    card_times = []
    for user in people[:emergencies]:
        at = offered[(user, EMERGENCY[1])]
        times = [
            c.monotonic - at
            for c in private
            if c.params["chat_id"] == user
            and c.monotonic >= at
            and str(c.params.get("text", "")).startswith(card)
        ]
        if times:
            card_times.append(min(times))
    lost = max(expected - len(private), 0)
    return [
        f"{sum(len(s) for s in scripts.values()):,}",
        f"{users:,}",
        f"{offer_end:.1f}",
        f"{len(private):,}/{expected:,}",
        f"{lost:,}",
        f"{got_429:,} ({got_429 / max(len(sends), 1):.2%})",
        f"{drain:.0f}",
        f"{used:.0%}",
        f"{len(card_times)}/{emergencies}",
        f"{percentile(card_times, 50):.2f}",
        f"{percentile(card_times, 99):.2f}",
    ]
