"""Bots as real processes against the fake Bot API server (tests/fakebotapi, 127.0.0.1 only):
starting them, offering updates, and reading back what they sent and when."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.fakebotapi.server import Call, FakeBotApi

ROOT = Path(__file__).resolve().parent.parent
KP2MI_CHAT, PPA_CHAT = -1001000000001, -1001000000002


@dataclass
class Bot:
    kind: str  # "helpline" | "echo"
    proc: subprocess.Popen[bytes]
    log: Path
    db: Path | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def helpline_env(
    api: FakeBotApi, db: Path, *, private_rate: float | None, overall: int | None
) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env = {
        **keep,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{db}",
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "HELPLINE_STAFF_CHAT_KP2MI": str(KP2MI_CHAT),
        "HELPLINE_STAFF_CHAT_PPA_PPO": str(PPA_CHAT),
        "HELPLINE_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    if private_rate is not None:
        env["TELEGRAM_PRIVATE_CHAT_RATE"] = str(private_rate)
    if overall is not None:
        env["TELEGRAM_OVERALL_RATE"] = str(overall)
    return env


@contextlib.contextmanager
def fake_api(users: int = 0, first_user: int = 10**6, latency: float = 0.0) -> Iterator[FakeBotApi]:
    with FakeBotApi() as api:
        api.add_group(KP2MI_CHAT, "KP2MI staff")
        api.add_group(PPA_CHAT, "PPA-PPO staff")
        for i in range(users):
            api.add_private_chat(first_user + i)
        api.latency(latency)
        yield api


@contextlib.contextmanager
def bot(
    kind: str,
    api: FakeBotApi,
    *,
    db: Path | None = None,
    private_rate: float | None = 1000.0,
    overall: int | None = 100_000,
) -> Iterator[Bot]:
    """Starts a bot and waits until it polls (bounded); stops it afterwards."""
    with tempfile.TemporaryDirectory(prefix="helpline-bench-") as tmp:
        log = Path(tmp) / f"{kind}.log"
        if kind == "echo":
            env = {
                "PATH": os.environ.get("PATH", ""),
                "PYTHONPATH": str(ROOT),
                "TELEGRAM_BOT_TOKEN": api.token,
                "TELEGRAM_API_BASE_URL": api.base_url,
                "BENCH_ECHO_HTTPX": os.environ.get("BENCH_ECHO_HTTPX", ""),
            }
            args = [sys.executable, "-m", "bench.echo_bot"]
        else:
            db = db or Path(tmp) / "h.db"
            env = helpline_env(api, db, private_rate=private_rate, overall=overall)
            args = [sys.executable, "-m", "bench.run_helpline"]
        with log.open("ab") as handle:
            proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT)
        running = Bot(kind, proc, log, db)
        try:
            polls_before = len(api.sent(method="getUpdates"))
            api.wait_for(
                lambda: len(api.sent(method="getUpdates")) > polls_before or proc.poll() is not None,
                60,
                description=f"{kind} bot polling",
            )
            if proc.poll() is not None:
                raise RuntimeError(f"{kind} bot exited:\n{log.read_text(errors='replace')[-3000:]}")
            yield running
        finally:
            running.stop()


def replies(api: FakeBotApi, since: int = 0) -> dict[int, list[Call]]:
    """Successful sendMessage calls to private chats, per chat, in arrival order, from call
    number ``since`` on."""
    with api._cond:  # one copy of the log; sent() would copy it per chat
        calls = api._calls[since:]
    out: dict[int, list[Call]] = defaultdict(list)
    for call in calls:
        if call.method == "sendMessage" and call.ok:
            chat = call.params.get("chat_id")
            if isinstance(chat, int) and chat > 0:
                out[chat].append(call)
    return out


def call_count(api: FakeBotApi) -> int:
    with api._cond:
        return len(api._calls)


def private_sends(api: FakeBotApi, since: int = 0) -> int:
    with api._cond:
        calls = api._calls[since:]
    return sum(
        1
        for c in calls
        if c.method == "sendMessage"
        and c.ok
        and isinstance(c.params.get("chat_id"), int)
        and c.params["chat_id"] > 0
    )


def wait_for_sends(api: FakeBotApi, expected: int, since: int, *, timeout: float, idle: float) -> float:
    """Waits until ``expected`` private replies arrived after call ``since``, or nothing new came
    for ``idle`` seconds, or ``timeout``; returns the seconds waited."""
    start = time.monotonic()
    last, last_change = -1, start
    while True:
        now = time.monotonic()
        count = private_sends(api, since)
        if count != last:
            last, last_change = count, now
        if count >= expected or now - start > timeout or now - last_change > idle:
            return now - start
        time.sleep(0.05)


@dataclass
class Script:
    """What each user sends, and the replies (texts) the bot gives to each message."""

    messages: list[str]
    expected: list[list[str]] = field(default_factory=list)

    @property
    def per_user(self) -> int:
        return sum(len(e) for e in self.expected)


def calibrate(api: FakeBotApi, script: Script, user: int, kind: str) -> Script:
    """The replies to each message, learnt from one user sending them one at a time."""
    if kind == "echo":
        return Script(script.messages, [[m] for m in script.messages])
    api.add_private_chat(user)
    expected = []
    for message in script.messages:
        before = call_count(api)
        api.push_text(user, message)
        # The bot answers within a second when idle; wait until it is quiet for a moment.
        wait_for_sends(api, 10**6, before, timeout=10, idle=0.6)
        expected.append([c.params["text"] for c in replies(api, before).get(user, [])])
    return Script(script.messages, expected)
