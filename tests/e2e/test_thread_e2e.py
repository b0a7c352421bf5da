"""Every word joins a thread, through the real bot on both Telegram libraries: an urgent report
and three free messages after it, all on the card's thread in the owning agency's chat; an
officer's question answered without Telegram's reply gesture; danger words under a photo."""

from __future__ import annotations

from tests.e2e.conftest import PPA_CHAT, PPA_OFFICER, BotProcess, Person
from tests.e2e.test_worker_and_officer import file_tppo_report, onboard, reference_from
from tests.fakebotapi.server import FakeBotApi

MESSAGES = ("please hurry, the guard is coming", "I am in the back room", "second floor, blue door")


def under_card(api: FakeBotApi, card_id: int, text: str) -> bool:
    return any(
        text in str(m.get("text", "")) and (m.get("reply_to_message") or {}).get("message_id") == card_id
        for m in api.messages(PPA_CHAT)
    )


def test_urgent_report_then_three_free_messages_all_reach_the_cards_thread(
    api: FakeBotApi, bot: BotProcess
) -> None:
    worker = Person(api, 6101)
    onboard(worker)
    worker.say("/darurat")
    worker.expect("If you are in danger now")
    worker.tap("Send as URGENT report")
    ref = reference_from(worker)
    card = Person(api, 0, PPA_CHAT).expect(ref)
    for text in MESSAGES:
        worker.say(text)
    worker.expect("Added to")
    for text in MESSAGES:
        api.wait_for(lambda text=text: under_card(api, card["message_id"], text), description=text)
    assert not [m for m in api.messages(worker.chat_id) if "did not understand" in str(m.get("text", ""))]


def test_an_answer_without_the_reply_gesture_reaches_the_thread(api: FakeBotApi, bot: BotProcess) -> None:
    worker = Person(api, 6102)
    onboard(worker)
    ref = file_tppo_report(worker)
    ppa = Person(api, PPA_OFFICER, PPA_CHAT)
    card = ppa.expect(ref)
    ppa.say("Are you safe tonight?", reply_to=card["message_id"])
    question = worker.expect("Are you safe tonight?")
    assert "just write here" in question["text"]
    worker.say("Yes, I am safe for now")  # typed, not replied to
    api.wait_for(lambda: under_card(api, card["message_id"], "Yes, I am safe for now"), description="answer")
    worker.say("/status")
    status = worker.expect(ref)
    assert status["text"].count("PMI-") == 1  # no second ticket was made of the answer


def test_danger_words_under_a_photo_bring_the_emergency_card(api: FakeBotApi, bot: BotProcess) -> None:
    worker = Person(api, 6103)
    onboard(worker)
    worker.seen = worker.newest()
    api.push_photo(worker.user_id, caption="help me, I am locked in this room")
    worker.expect("If you are in danger now")
    worker.tap("Send as URGENT report")
    ref = reference_from(worker)
    Person(api, 0, PPA_CHAT).expect(ref)
