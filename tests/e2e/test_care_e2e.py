"""Time-driven care through the real ``helpline run``: an urgent report that nobody takes is
escalated by the care scheduler running inside the bot process (the owning agency's chat gets a
note and the card again, the escalation chat gets the reference without the story, the audit
trail records it), once, and not again after a restart."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import KP2MI_CHAT, PPA_CHAT, BotProcess, Person, cli, wait_polling
from tests.e2e.test_worker_and_officer import onboard, reference_from
from tests.fakebotapi.server import FakeBotApi

ESCALATION_CHAT = -1001000000009
WORKER = 5701
STORY = "I am locked in the house, the employer took my passport"
TICK = 1.0


@pytest.fixture
def care_env(api: FakeBotApi, env: dict[str, str]) -> dict[str, str]:
    api.add_group(ESCALATION_CHAT, "Escalations")
    # The group limits of the real Telegram: a tick that sent too much would show as 429s.
    api.rate_limits(private_per_second=50.0, private_burst=50)
    return {
        **env,
        "HELPLINE_SLA_URGENT": "2s",
        "HELPLINE_SCHEDULER_TICK": f"{TICK:g}s",
        "HELPLINE_ESCALATION_CHAT": str(ESCALATION_CHAT),
    }


@pytest.fixture
def care_bot(api: FakeBotApi, care_env: dict[str, str], tmp_path: Path) -> Iterator[BotProcess]:
    process = BotProcess(care_env, tmp_path / "bot.log")
    process.start()
    wait_polling(api, process)
    try:
        yield process
    finally:
        process.stop()


def mentions(api: FakeBotApi, chat: int, ref: str) -> list[dict[str, object]]:
    return [m for m in api.messages(chat) if ref in str(m.get("text", ""))]


def escalations(env: dict[str, str], ref: str) -> int:
    return cli(env, "tickets", "show", ref).count(" system sla_escalated")


def test_untaken_urgent_report_is_escalated_once_even_across_a_restart(
    api: FakeBotApi, care_bot: BotProcess, care_env: dict[str, str]
) -> None:
    bot = care_bot
    try:
        worker = Person(api, WORKER)
        onboard(worker)
        worker.say(STORY)  # danger words: the emergency card, the text kept for the report
        worker.expect("If you are in danger now")
        worker.tap("Malaysia")
        worker.expect("Polri")
        worker.tap("Send as URGENT report")
        ref = reference_from(worker)
        started = time.monotonic()

        # Nobody takes it: past the 2 s target the scheduler re-announces it to the owner.
        ppa = Person(api, 0, PPA_CHAT)
        note = ppa.expect(f"⏰ {ref}", timeout=20)
        assert "batas tanggapan pertama" in note["text"]
        api.wait_for(lambda: len(mentions(api, PPA_CHAT, ref)) == 3, 10, description="the card posted again")
        first, again = (m for m in mentions(api, PPA_CHAT, ref) if m["message_id"] != note["message_id"])
        assert first["message_id"] < note["message_id"] < again["message_id"]
        assert "Ambil" in str(again.get("reply_markup"))  # the card again, with its buttons
        assert STORY in str(again["text"])

        alert = Person(api, 0, ESCALATION_CHAT).expect(ref, timeout=10)
        assert "Eskalasi" in alert["text"] and "PPA-PPO" in alert["text"]
        assert "locked" not in alert["text"] and "passport" not in alert["text"]  # never the story
        assert time.monotonic() - started < 15
        assert len(mentions(api, KP2MI_CHAT, ref)) == 1  # the copy is not re-announced
        assert escalations(care_env, ref) == 1

        # More ticks find nothing more to do.
        time.sleep(3 * TICK + 1)
        assert len(mentions(api, ESCALATION_CHAT, ref)) == 1
        assert len(mentions(api, PPA_CHAT, ref)) == 3
        assert escalations(care_env, ref) == 1

        # Stopped cleanly and started again: the claim is in the database, nothing repeats.
        bot.stop()
        assert bot.proc is not None and bot.proc.returncode == 0, bot.output()
        assert "care scheduler stopped" in bot.output()
        polls = len(api.sent(method="deleteWebhook"))
        bot.start()
        api.wait_for(lambda: len(api.sent(method="deleteWebhook")) > polls, 60, description="polling again")
        assert bot.output().count("care scheduler started") == 2
        time.sleep(3 * TICK + 1)
        assert len(mentions(api, ESCALATION_CHAT, ref)) == 1
        assert len(mentions(api, PPA_CHAT, ref)) == 3
        assert escalations(care_env, ref) == 1
        assert api.count_429 == 0

        # The log names the ticket and the work, nothing the worker wrote.
        log = bot.output()
        assert f"care work done kind=escalate ref={ref}" in log
        assert "passport" not in log and "locked in" not in log
        assert "Traceback" not in log, log
    except BaseException:
        print("---- bot log ----\n" + bot.output())
        raise
