"""Fixtures of the end-to-end tests: a fake Bot API server on 127.0.0.1, a fresh database, and
the real ``helpline run`` started as a subprocess against them, plus helpers to play a worker
and an officer. Every test that runs the bot runs once per Telegram library; those that ask for
``bot_on`` (or ``env_on``) also once per database, PostgreSQL when HELPLINE_TEST_DATABASE_URL
is set."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storage.db import make_engine
from tests.fakebotapi.server import FakeBotApi
from tests.storage.conftest import drop_everything

ROOT = Path(__file__).resolve().parents[2]
HELPLINE = str(Path(sys.executable).with_name("helpline"))
KP2MI_CHAT = -1001000000001
PPA_CHAT = -1001000000002
PPA_OFFICER = 7001
KP2MI_OFFICER = 7002
STRANGER = 7999
LIBRARIES = ("python-telegram-bot", "aiogram")
DATABASES = ("sqlite", "postgresql")
POSTGRES_URL = os.environ.get("HELPLINE_TEST_DATABASE_URL")

JSON = dict[str, Any]


class BotProcess:
    """``helpline run`` in a subprocess; its output goes to a log file shown on failure."""

    def __init__(self, env: dict[str, str], log: Path, *args: str) -> None:
        self.env, self.log, self.args = env, log, args
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        handle = self.log.open("ab")
        self.proc = subprocess.Popen(
            [HELPLINE, "run", *self.args], env=self.env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT
        )
        handle.close()

    def kill(self) -> None:
        """SIGKILL: no chance to finish anything, as in a crash or an OOM kill."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

    def output(self) -> str:
        return self.log.read_text("utf-8", errors="replace")


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        fake.add_group(KP2MI_CHAT, "KP2MI staff")
        fake.add_group(PPA_CHAT, "PPA-PPO staff")
        yield fake


def base_env(db: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    return {
        **keep,
        "DATABASE_URL": f"sqlite:///{db}",
        "HELPLINE_STAFF_CHAT_KP2MI": str(KP2MI_CHAT),
        "HELPLINE_STAFF_CHAT_PPA_PPO": str(PPA_CHAT),
        "HELPLINE_LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }


def prepare(env: dict[str, str]) -> None:
    """The sample registry and two officers, with the real command line, in env's database."""
    cli(env, "recruiters", "import", str(ROOT / "data" / "recruiters.sample.csv"), "--sample")
    cli(
        env, "staff", "add", "--agency", "ppa-ppo", "--telegram-id", str(PPA_OFFICER), "--name", "Bripka Sari"
    )
    cli(env, "staff", "add", "--agency", "kp2mi", "--telegram-id", str(KP2MI_OFFICER), "--name", "Dewi KP2MI")


@pytest.fixture(scope="session")
def prepared_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``prepare``d once; each test starts from a copy (each ``helpline`` command costs a second
    and more of start-up)."""
    db = tmp_path_factory.mktemp("template") / "h.db"
    prepare(base_env(db))
    return db


@pytest.fixture(params=LIBRARIES)
def library(request: pytest.FixtureRequest) -> str:
    """The HELPLINE_TELEGRAM_LIBRARY of the bot process: the same script must pass on each."""
    return str(request.param)


@pytest.fixture
def env(api: FakeBotApi, tmp_path: Path, prepared_db: Path, library: str) -> dict[str, str]:
    db = tmp_path / "h.db"
    shutil.copyfile(prepared_db, db)  # the commands closed it, so the WAL is checkpointed
    return {
        **base_env(db),
        "HELPLINE_TELEGRAM_LIBRARY": library,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url,
        # A script answers at once; at Telegram's 1/s per chat a conversation would take a
        # minute. test_rate_limits runs at the real pace against the fake's flood limits.
        "TELEGRAM_PRIVATE_CHAT_RATE": "20",
    }


def cli(env: dict[str, str], *args: str) -> str:
    """Runs a ``helpline`` command in the bot's environment; its output."""
    done = subprocess.run(
        [HELPLINE, *args],
        env={**env, "COLUMNS": "200"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(params=DATABASES)
def database(request: pytest.FixtureRequest) -> str:
    """The database of ``env_on`` and ``bot_on``: tests that ask for them run on both."""
    return str(request.param)


@pytest.fixture
def env_on(env: dict[str, str], database: str) -> dict[str, str]:
    """``env`` on the ``database`` of this run: the SQLite copy, or the PostgreSQL test database
    emptied and prepared as the copy was (skipped, saying so, when none is configured)."""
    if database == "sqlite":
        return env
    if not POSTGRES_URL:
        pytest.skip("HELPLINE_TEST_DATABASE_URL is not set: the PostgreSQL variant needs it")
    engine = make_engine(POSTGRES_URL)
    drop_everything(engine)
    engine.dispose()
    on_postgres = {**env, "DATABASE_URL": POSTGRES_URL}
    prepare(on_postgres)
    return on_postgres


def running(
    api: FakeBotApi, env: dict[str, str], tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[BotProcess]:
    process = BotProcess(env, tmp_path / "bot.log")
    process.start()
    wait_polling(api, process)
    yield process
    process.stop()
    report = request.node.stash.get(FAILED, False)
    if report:
        print("---- bot log ----\n" + process.output())


@pytest.fixture
def bot(
    api: FakeBotApi, env: dict[str, str], tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[BotProcess]:
    yield from running(api, env, tmp_path, request)


@pytest.fixture
def bot_on(
    api: FakeBotApi, env_on: dict[str, str], tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[BotProcess]:
    """``bot`` on each database (``env_on``)."""
    yield from running(api, env_on, tmp_path, request)


def wait_polling(api: FakeBotApi, process: BotProcess) -> None:
    """Polling starts with deleteWebhook. Waiting for it keeps a slow start (importing aiogram
    takes seconds on a busy machine) out of the first answer's timeout."""
    try:
        api.wait_for(lambda: api.sent(method="deleteWebhook"), 60, description="the bot polling")
    except AssertionError as exc:
        process.stop()
        raise AssertionError(f"{exc}\n---- bot log ----\n{process.output()}") from None


FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call" and report.failed:
        item.stash[FAILED] = True
    return report


class Person:
    """A user in a chat with the bot: sends, taps buttons by label, waits for answers."""

    def __init__(self, api: FakeBotApi, user_id: int, chat_id: int | None = None) -> None:
        self.api, self.user_id = api, user_id
        self.chat_id = user_id if chat_id is None else chat_id
        self.seen = 0  # highest bot message id already read in this chat

    def newest(self) -> int:
        messages = self.api.messages(self.chat_id)
        return max((m["message_id"] for m in messages), default=0)

    def say(self, text: str, reply_to: int | None = None) -> int:
        self.seen = self.newest()
        if self.chat_id == self.user_id:
            return self.api.push_text(self.user_id, text, reply_to)
        return self.api.push_text_in_group(self.chat_id, self.user_id, text, reply_to)

    def expect(self, contains: str, timeout: float = 10.0) -> JSON:
        """The first bot message after the last thing this person did that contains the text
        (case-insensitive), in its current state."""

        def match() -> JSON | None:
            for message in self.api.messages(self.chat_id):
                if (
                    message["message_id"] > self.seen
                    and contains.lower() in str(message.get("text", "")).lower()
                ):
                    return message
            return None

        return self.api.wait_for(match, timeout, description=f"{contains!r} in {self.chat_id}")

    def message(self, message_id: int) -> JSON:
        """A bot message of this chat in its current state (after edits)."""
        return next(m for m in self.api.messages(self.chat_id) if m["message_id"] == message_id)

    def tap(self, label: str, on: int | None = None, timeout: float = 10.0) -> int:
        """Presses a button whose label is ``label`` (or contains it) on message ``on``, or by
        default on the newest bot message that arrived after this person last acted: an answer
        to what they just did, never a stale keyboard higher up."""
        since = self.seen

        def find() -> tuple[int, str] | None:
            # An exact label wins over a partial one ("No" is also in "Yes, right now").
            for exact in (True, False):
                for message in reversed(self.api.messages(self.chat_id)):
                    if (on is None and message["message_id"] <= since) or (
                        on is not None and message["message_id"] != on
                    ):
                        continue
                    markup = message.get("reply_markup") or {}
                    for row in markup.get("inline_keyboard", []):
                        for button in row:
                            text = button["text"].lower()
                            if text == label.lower() or (not exact and label.lower() in text):
                                return message["message_id"], button["callback_data"]
            return None

        message_id, data = self.api.wait_for(find, timeout, description=f"button {label!r}")
        self.seen = self.newest()
        return self.api.push_callback(self.user_id, data, message_id, self.chat_id)
