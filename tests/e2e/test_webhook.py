"""``helpline run --webhook``: the secret token is required, an update is answered after it was
handled, the health, readiness and metrics endpoints answer; and polling after a webhook
deployment removes the webhook first."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx

from tests.e2e.conftest import BotProcess, Person, wait_polling
from tests.fakebotapi.server import FakeBotApi

SECRET = "s3cret-Token_for-tests"
USER = 5701
PUBLIC_URL = "https://helpline.example.org/hook/telegram"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(base: str, bot: BotProcess) -> None:
    deadline = time.monotonic() + 60  # aiogram starts in seconds on a busy machine
    while time.monotonic() < deadline and bot.proc is not None and bot.proc.poll() is None:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("webhook server did not come up\n" + bot.output())


def test_webhook_checks_the_secret_and_handles_updates(
    api: FakeBotApi, env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    webhook_env = {
        **env,
        # The public HTTPS address a proxy forwards to 127.0.0.1:port with the same path.
        "TELEGRAM_WEBHOOK_URL": PUBLIC_URL,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
        "TELEGRAM_WEBHOOK_PORT": str(port),
    }
    bot = BotProcess(webhook_env, tmp_path / "bot.log", "--webhook")
    bot.start()
    try:
        wait_healthy(base, bot)
        api.wait_for(lambda: api.sent(method="setWebhook"), description="setWebhook")
        [call] = api.sent(method="setWebhook")
        assert call.params["url"] == PUBLIC_URL
        assert call.params["secret_token"] == SECRET
        api.add_private_chat(USER)
        update = {
            "update_id": 900001,
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "text": "/darurat",
                "chat": {"id": USER, "type": "private", "first_name": "A"},
                "from": {"id": USER, "is_bot": False, "first_name": "A"},
            },
        }
        url = f"{base}/hook/telegram"
        assert httpx.post(url, json=update, timeout=5).status_code == 403
        wrong = {"X-Telegram-Bot-Api-Secret-Token": "nope"}
        assert httpx.post(url, json=update, headers=wrong, timeout=5).status_code == 403
        right = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        assert httpx.post(url, json=update, headers=right, timeout=10).status_code == 200
        Person(api, USER).expect("110")
        # Telegram retrying the same update (say, after a timeout) changes nothing.
        assert httpx.post(url, json=update, headers=right, timeout=10).status_code == 200
        time.sleep(0.5)
        assert len([m for m in api.messages(USER) if "110" in m.get("text", "")]) == 1
        # Bodies no update can be: 400 on both libraries, no stack trace, the server carries on.
        hostile = [b"[]", b"null", b"[" * 100_000 + b"]" * 100_000, b'{"update_id": 1180591620717411303424}']
        for body in hostile:
            answer = httpx.post(url, content=body, headers=right, timeout=10)
            assert answer.status_code == 400, body[:20]
        assert "Traceback" not in bot.output()
        assert httpx.get(f"{base}/livez", timeout=5).status_code == 200
        ready = httpx.get(f"{base}/readyz", timeout=5)
        assert (ready.status_code, ready.json()) == (200, {"ok": True})
        text = httpx.get(f"{base}/metrics", timeout=5).text
        assert 'helpline_updates_total{kind="message",result="ok"} 2.0' in text
        assert 'helpline_sends_total{result="sent"}' in text
        assert "helpline_update_seconds_bucket" in text
        assert "helpline_outbox_oldest_seconds" in text
        assert str(USER) not in text  # no label names a person
    finally:
        bot.stop()


def test_polling_removes_a_webhook_left_from_an_earlier_deployment(
    api: FakeBotApi, env: dict[str, str], tmp_path: Path
) -> None:
    # Telegram refuses getUpdates while a webhook is set; aiogram does not remove it by itself.
    set_webhook = f"{api.base_url}/bot{api.token}/setWebhook"
    assert httpx.post(set_webhook, json={"url": PUBLIC_URL}, timeout=5).json()["ok"]
    bot = BotProcess(env, tmp_path / "bot.log")
    bot.start()
    wait_polling(api, bot)
    try:
        api.add_private_chat(USER)
        worker = Person(api, USER)
        worker.say("/darurat")
        worker.expect("110")
    finally:
        bot.stop()
