"""A worker and a PPA-PPO officer through the real bot: recruiter check, a trafficking report
routed to PPA-PPO with a copy to KP2MI, take, answer, reply, close."""

from __future__ import annotations

import re

from tests.e2e.conftest import (
    KP2MI_CHAT,
    PPA_CHAT,
    PPA_OFFICER,
    BotProcess,
    Person,
    cli,
)
from tests.fakebotapi.server import FakeBotApi

WORKER = 5101
REF = re.compile(r"PMI-[0-9A-Z]{4}-[0-9A-Z]{4}")


def reference_from(person: Person) -> str:
    """The ticket reference in the bot's confirmation that a report was sent."""
    found = REF.search(person.expect("Reference:")["text"])
    assert found
    return found.group(0)


def onboard(worker: Person) -> None:
    worker.say("/start")
    worker.expect("Pilih bahasa")
    worker.tap("English")
    worker.expect("Do you agree?")
    worker.tap("I agree")
    worker.expect("Who are you?")
    worker.tap("I work abroad")
    worker.expect("What would you like to do?")


def file_tppo_report(
    worker: Person,
    story: str = "My boss took my passport, I work 18 hours <unpaid> & no salary",
    phone: str | None = None,
) -> str:
    """A trafficking report in English, contact through this chat or ``phone``; its reference."""
    worker.say("/lapor")
    worker.expect("What happened?")
    worker.tap("Trafficking")
    worker.expect("in danger right now")
    worker.tap("No")
    worker.expect("Who is this report about?")
    worker.tap("Me")
    worker.expect("country")
    worker.tap("Malaysia")
    worker.expect("Which city")
    worker.say("Kota Kinabalu")
    worker.expect("what happened")
    worker.say(story)
    worker.expect("evidence")
    worker.tap("Skip")
    worker.expect("reach you safely")
    if phone is None:
        worker.tap("Only through this chat")
    else:
        worker.tap("Phone / WhatsApp")
        worker.expect("Which number")
        worker.say(phone)
    worker.expect("Please check")
    worker.tap("Send report")
    return reference_from(worker)


def test_recruiter_check_and_trafficking_report_answered_and_closed(
    api: FakeBotApi, bot: BotProcess, env: dict[str, str]
) -> None:
    worker = Person(api, WORKER)
    onboard(worker)
    commands = api.commands(language_code="en")
    assert [c["command"] for c in commands][:3] == ["start", "cek", "lapor"]

    worker.say("/cek")
    worker.expect("licence number")
    worker.say("bintang samudra")
    worker.expect("SIP3MI-T-0417")

    ref = file_tppo_report(worker)
    ppa = Person(api, PPA_OFFICER, PPA_CHAT)
    card = ppa.expect(ref)
    assert "<unpaid> & no salary" in card["text"]  # escaped on the way, shown as typed
    kp2mi = Person(api, 0, KP2MI_CHAT)
    copied = kp2mi.expect(ref)
    # The copy's card offers none of the owner's buttons, which would only be refused to KP2MI.
    assert "reply_markup" not in copied

    ppa.tap("Ambil", on=card["message_id"])
    api.wait_for(
        lambda: "Bripka Sari" in ppa.message(card["message_id"])["text"], description="card shows who took it"
    )
    api.wait_for(
        lambda: "Bripka Sari" in kp2mi.message(copied["message_id"])["text"],
        description="the copy is edited too",
    )
    assert "reply_markup" not in kp2mi.message(copied["message_id"])  # and stays without buttons
    worker.expect("your message has been read")  # discreet by default: no agency, no report

    ppa.say("We are contacting the employer. Are you safe?", reply_to=card["message_id"])
    answer = worker.expect("PPA-PPO: We are contacting the employer")
    worker.say("Yes, I am safe for now", reply_to=answer["message_id"])
    under_card = ppa.expect("Yes, I am safe for now")
    assert under_card["reply_to_message"]["message_id"] == card["message_id"]

    ppa.say(f"/reply {ref.lower()} Thank you, we will call the embassy.")
    worker.expect("PPA-PPO: Thank you, we will call the embassy.")

    # /lihat posts the card and the thread again in the officer's own group.
    ppa.say(f"/lihat {ref}")
    thread = ppa.expect("Yes, I am safe for now")
    assert thread["message_id"] > card["message_id"]
    assert "Thank you, we will call the embassy." in thread["text"]
    # The card posted by /lihat is now the ticket's live card: the one later changes update.
    card = next(
        m
        for m in api.messages(PPA_CHAT)
        if m["message_id"] > ppa.seen and ref in m["text"] and m.get("reply_markup")
    )

    ppa.tap("Tutup", on=card["message_id"])
    api.wait_for(
        lambda: "Buka lagi" in str(ppa.message(card["message_id"])["reply_markup"]),
        description="closed card offers Reopen",
    )
    worker.expect("this conversation is closed")
    shown = cli(env, "tickets", "show", ref)
    assert "status=closed" in shown
    assert "Yes, I am safe for now" in shown
