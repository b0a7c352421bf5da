"""A family member's missing-relative report with a photo; duplicate delivery; a crash and
restart mid-conversation; a stranger pressing an officer's button."""

from __future__ import annotations

import re

from tests.e2e.conftest import KP2MI_CHAT, PPA_CHAT, STRANGER, BotProcess, Person, cli
from tests.e2e.test_worker_and_officer import REF, file_tppo_report, onboard, reference_from
from tests.fakebotapi.server import FakeBotApi

FAMILY = 5201


def test_missing_relative_reported_by_family_with_photo(
    api: FakeBotApi, bot: BotProcess, env: dict[str, str]
) -> None:
    family = Person(api, FAMILY)
    family.say("/start")
    family.tap("English")
    family.tap("I agree")
    family.tap("Family of a worker")
    family.expect("What would you like to do?")
    family.say("/lapor")
    family.tap("Missing relative")
    family.expect("relative's name")
    family.say("Siti Aminah")
    family.expect("How are you related")
    family.say("sister")
    family.tap("No")
    family.expect("last hear from them")
    family.say("early March")
    family.tap("Malaysia")
    family.expect("employer or the agency")
    family.say("PT Contoh, Johor")
    family.tap("Skip")
    family.expect("Any of these signs")
    family.tap("Yes")
    family.expect("Anything else")
    family.tap("Skip")
    family.tap("I will send them now")
    family.expect("Press Done")
    api.push_photo(FAMILY)
    family.tap("Done")
    family.expect("reach you safely")
    family.tap("Only through this chat")
    family.expect("Please check")
    family.tap("Send report")
    ref = reference_from(family)
    # Missing relative with trafficking signs: KP2MI owns it, PPA-PPO gets a copy.
    Person(api, 0, KP2MI_CHAT).expect(ref)
    Person(api, 0, PPA_CHAT).expect(ref)
    shown = cli(env, "tickets", "show", ref)
    assert "owner=kp2mi" in shown
    assert "ppa-ppo" in shown


def test_duplicate_update_has_its_effect_once(api: FakeBotApi, bot: BotProcess, env: dict[str, str]) -> None:
    worker = Person(api, 5301)
    onboard(worker)
    ref = file_tppo_report(worker)
    # The "Send report" press is the newest update; Telegram may deliver it again.
    press = max(c.result[-1]["update_id"] for c in api.sent(method="getUpdates") if c.result)
    api.redeliver(press)
    worker.say("/status")
    status = worker.expect("PMI-")
    assert set(REF.findall(status["text"])) == {ref}
    tickets = cli(env, "tickets", "list")
    assert len(REF.findall(tickets)) == 1
    cards = [m for m in api.messages(PPA_CHAT) if ref in m.get("text", "")]
    assert len(cards) == 1


def test_killed_mid_conversation_continues_after_restart(api: FakeBotApi, bot_on: BotProcess) -> None:
    """On each library and each database (``bot_on``)."""
    bot = bot_on
    worker = Person(api, 5401)
    onboard(worker)
    worker.say("/lapor")
    worker.tap("Trafficking")
    worker.expect("in danger right now")
    bot.kill()
    # Written while the bot is down: delivered after the restart.
    worker.tap("No")
    bot.start()
    worker.expect("Who is this report about?", timeout=30)
    worker.tap("Me")
    worker.expect("country")


def test_stranger_pressing_take_is_refused_and_nothing_changes(
    api: FakeBotApi, bot: BotProcess, env: dict[str, str]
) -> None:
    worker = Person(api, 5501)
    onboard(worker)
    ref = file_tppo_report(worker)
    stranger = Person(api, STRANGER, PPA_CHAT)
    card = stranger.expect(ref)
    before = cli(env, "tickets", "show", ref)
    update_id = stranger.tap("Ambil", on=card["message_id"])
    answer = api.wait_for(
        lambda: [c for c in api.sent(method="answerCallbackQuery") if c.params.get("text")],
        description="the refusal",
    )[-1]
    assert re.search(r"tidak (berwenang|berhak)", answer.params["text"], re.IGNORECASE), answer.params["text"]
    assert update_id
    after = cli(env, "tickets", "show", ref)
    assert "status=open" in after
    # Nothing changed but the audit trail, which records the refused attempt (an insider
    # probing tickets is worth knowing about).
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert len(added) == 1 and f"telegram:{STRANGER} refused" in added[0], added
    assert [line for line in after.splitlines() if line not in added] == before.splitlines()
    assert stranger.message(card["message_id"])["text"] == card["text"]

    # Asking to see the ticket is refused the same way, and shows nothing of it.
    stranger.say(f"/lihat {ref}")
    refusal = api.wait_for(
        lambda: [
            m
            for m in api.messages(PPA_CHAT)
            if m["message_id"] > stranger.seen and "tidak" in str(m.get("text", "")).lower()
        ],
        description="the /lihat refusal",
    )[-1]
    assert ref not in refusal["text"]
    assert not [m for m in api.messages(PPA_CHAT) if m["message_id"] > stranger.seen and ref in m["text"]]
