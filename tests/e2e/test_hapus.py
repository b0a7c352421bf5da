"""/hapus through the real bot: the person's private chat is emptied on Telegram, their messages
and the bot's, except what Telegram no longer lets anyone delete; the report stays with the
officers."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import PPA_CHAT, BotProcess, Person, cli
from tests.e2e.test_worker_and_officer import file_tppo_report, onboard
from tests.fakebotapi.server import FakeBotApi

WORKER = 5701
TWO_DAYS = 48 * 3600 + 600


def test_hapus_deletes_the_persons_and_the_bots_messages(
    api: FakeBotApi, bot: BotProcess, env: dict[str, str]
) -> None:
    worker = Person(api, WORKER)
    onboard(worker)
    # Two days pass for Telegram (the bot's own records do not move): these can no longer be
    # deleted, and the bot must still delete everything after them.
    old = ids(api.history(WORKER))
    assert len(old) >= 4  # /start, and the bot's questions on language, consent and role
    api.age_messages(WORKER, TWO_DAYS)
    ref = file_tppo_report(worker)
    worker.say("Thank you")
    worker.expect("Added to")  # joins the report's thread
    worker.say("/hapus")
    worker.expect("Delete the messages of this chat")
    before = api.history(WORKER)
    mine = [m for m in before if m["from"]["id"] == WORKER and m["message_id"] not in old]
    bots = [m for m in before if m["from"]["is_bot"] and m["message_id"] not in old]
    assert len(mine) >= 5 and len(bots) >= 10  # the report's answers and the bot's questions
    assert any(m.get("text") == "Kota Kinabalu" for m in mine)
    worker.tap("Yes, delete the messages")

    def cleared() -> list[dict[str, Any]] | None:
        now = api.history(WORKER)
        left = [m.get("text") for m in now if m["message_id"] not in old]
        return now if left == ["Deleted."] else None

    after = api.wait_for(cleared, description="the chat emptied down to 'Deleted.'")
    assert ids(after) == [*old, max(ids(before)) + 1]  # nothing new came in between
    deletions = api.sent(WORKER, "deleteMessages")
    asked = {int(i) for c in deletions if c.ok for i in c.params["message_ids"]}
    assert set(ids(mine + bots)) <= asked
    assert not set(old) & asked  # refused, as Telegram does two days on
    assert {c.description for c in deletions if not c.ok} <= {"Bad Request: message can't be deleted"}
    assert all(c.ok for c in api.sent(WORKER, "sendMessage"))  # nothing empty was sent
    # The report itself stays with the officers.
    assert any(ref in m.get("text", "") for m in api.messages(PPA_CHAT))
    assert ref in cli(env, "tickets", "show", ref)


def ids(messages: list[dict[str, Any]]) -> list[int]:
    return [m["message_id"] for m in messages]
