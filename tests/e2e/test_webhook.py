"""``helpline run --webhook``: the secret token is required, an update is answered once it was
stored and then handled, the health, readiness and metrics endpoints answer; and polling after a webhook
deployment removes the webhook first."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import BotProcess, Person, wait_polling
from tests.fakebotapi.server import JSON, FakeBotApi
from tests.support.ports import free_port
from tests.support.unreadable import NAME, POLL, UNIQUE_GIFT

SECRET = "s3cret-Token_for-tests"
USER = 5701
PUBLIC_URL = "https://helpline.example.org/hook/telegram"


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
        # Once, or twice when the repeat came after the first was handled (a no-op in the core).
        handled = {
            s.value
            for f in text_string_to_metric_families(text)
            for s in f.samples
            if s.name == "helpline_updates_total" and s.labels == {"kind": "message", "result": "ok"}
        }
        assert handled in ({1.0}, {2.0})
        assert 'helpline_sends_total{result="sent"}' in text
        assert "helpline_update_seconds_bucket" in text
        assert "helpline_outbox_oldest_seconds" in text
        # No label names a person. Label values, not the text: a timestamp's digits may hold the id.
        labels = {
            v for f in text_string_to_metric_families(text) for m in f.samples for v in m.labels.values()
        }
        assert labels and not any(str(USER) in value for value in labels)
    finally:
        bot.stop()


def start_webhook(api: FakeBotApi, env: dict[str, str], tmp_path: Path) -> tuple[BotProcess, str]:
    port = free_port()
    webhook_env = {
        **env,
        "TELEGRAM_WEBHOOK_URL": PUBLIC_URL,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
        "TELEGRAM_WEBHOOK_PORT": str(port),
    }
    bot = BotProcess(webhook_env, tmp_path / "bot.log", "--webhook")
    bot.start()
    wait_healthy(f"http://127.0.0.1:{port}", bot)
    return bot, f"http://127.0.0.1:{port}/hook/telegram"


def test_an_update_the_library_cannot_read_is_kept_answered_200_and_the_person_carries_on(
    api: FakeBotApi, env: dict[str, str], tmp_path: Path
) -> None:
    bot, url = start_webhook(api, env, tmp_path)
    right = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    api.add_private_chat(USER)
    person = {"id": USER, "is_bot": False, "first_name": NAME}
    chat = {"id": USER, "type": "private", "first_name": NAME}

    def message(message_id: int, **fields: Any) -> dict[str, Any]:
        return {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": person, **fields}

    def is_110() -> list[JSON]:
        return [m for m in api.messages(USER) if "110" in m.get("text", "")]

    try:
        gift = {"update_id": 910001, "message": message(1, unique_gift=UNIQUE_GIFT)}
        # 200: Telegram would deliver a refused update again and again. The same twice is a no-op.
        assert httpx.post(url, json=gift, headers=right, timeout=10).status_code == 200
        assert httpx.post(url, json=gift, headers=right, timeout=10).status_code == 200

        # Stored (encrypted) as every update is, and removed once handled: nothing piles up.
        def stored() -> list[Any]:
            with sqlite3.connect(env["DATABASE_URL"].removeprefix("sqlite:///")) as db:
                return db.execute("SELECT update_id FROM incoming_updates").fetchall()

        api.wait_for(lambda: stored() == [], description="the unreadable update removed")
        # The person's next text is handled as ever...
        text = {"update_id": 910002, "message": message(2, text="/darurat")}
        assert httpx.post(url, json=text, headers=right, timeout=10).status_code == 200
        Person(api, USER).expect("110")
        # ...and so is a text the library cannot read whole (a reply to a poll it refuses).
        reply = {
            "update_id": 910003,
            "message": message(3, text="/darurat", reply_to_message=message(1, poll=POLL)),
        }
        assert httpx.post(url, json=reply, headers=right, timeout=10).status_code == 200
        api.wait_for(lambda: len(is_110()) == 2, description="a second 110")
        output = bot.output()
        assert "update=910001 kind=message" in output
        assert "Traceback" not in output
        assert NAME not in output
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


def test_a_persons_button_is_answered_in_the_webhook_reply_not_later_by_the_handler(
    api: FakeBotApi, env: dict[str, str], tmp_path: Path
) -> None:
    """In a burst the handler may reach a press seconds after it was stored; the spinner stops
    at once because the webhook's 200 itself carries answerCallbackQuery (Telegram performs a
    call named in a webhook reply), and the handler does not answer it a second time."""
    bot, url = start_webhook(api, env, tmp_path)
    right = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    api.add_private_chat(USER)
    try:
        start = api.take_update(api.push_text(USER, "/start"))
        assert httpx.post(url, json=start, headers=right, timeout=10).content == b""
        welcome = Person(api, USER).expect("Pilih bahasa")
        press = api.take_update(api.push_button(USER, welcome["message_id"], "English"))
        answer = httpx.post(url, json=press, headers=right, timeout=10)
        assert answer.status_code == 200
        query_id = press["callback_query"]["id"]
        assert answer.json() == {"method": "answerCallbackQuery", "callback_query_id": query_id}
        call = api.webhook_reply(answer.content)
        assert call is not None and call.ok
        assert api.unanswered_callbacks() == []
        Person(api, USER).expect("Language changed.")
        time.sleep(0.5)  # the handler is done with the press: it answered nothing more
        assert [c.ok for c in api.sent(method="answerCallbackQuery")] == [True]
    finally:
        bot.stop()
