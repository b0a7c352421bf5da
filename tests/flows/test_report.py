"""/lapor (``flows.report``): every category routed, the missing-relative questions, typed and shared answers,
the summary and its edits, files, photos and locations as evidence.

Played through the scripted Chat driver; the Chat has no translators, so every message renders as its
English msgid."""

from __future__ import annotations

import pytest

from flows.incoming import AttachmentIn, ContactIn
from flows.reference import PATTERN
from flows.replies import Urgency
from tests.support.steps import (
    STORY,
    choices,
    file_report,
    missing_until_summary,
    onboarded,
    only_ticket,
    opened,
    report_until_city,
    report_until_summary,
    snapshot,
)

# -- /lapor ----------------------------------------------------------------------------------------
ROUTES = {
    "tppo": ("ppa-ppo", ("kp2mi",), "high"),
    "violence": ("ppa-ppo", ("kp2mi",), "high"),
    "held": ("ppa-ppo", ("kp2mi",), "high"),
    "scam_compound": ("ppa-ppo", ("kp2mi",), "high"),
    "illegal_recruitment": ("kp2mi", ("ppa-ppo",), "normal"),
    # Copied to Imigrasi too (KP2MI-Imigrasi MoU: forged documents).
    "fake_documents": ("kp2mi", ("ppa-ppo", "imigrasi"), "normal"),
    "other": ("kp2mi", (), "normal"),
}


@pytest.mark.parametrize("category", sorted(ROUTES))
def test_report_in_each_category_opens_a_routed_ticket(category: str) -> None:
    chat = onboarded()
    ticket = file_report(chat, category)
    owner, copied, priority = ROUTES[category]
    assert (ticket.kind, ticket.category) == ("report", category)
    assert (ticket.owner, ticket.copied, ticket.priority) == (owner, copied, priority)
    assert (ticket.country, ticket.city, ticket.description) == ("MY", "Johor Bahru", STORY)
    assert (ticket.victim, ticket.danger_now, ticket.contact_method) == ("self", False, "chat")
    assert (ticket.lang, ticket.reporter_role) == ("en", "worker")
    assert PATTERN.match(ticket.ref)
    assert ticket.ref in chat.text()
    assert chat.state.flow is None
    assert chat.replies()[-1].ticket_ref == ticket.ref


def test_confirmation_names_the_owner_and_the_copied_agency() -> None:
    chat = onboarded()
    file_report(chat, "held")
    text = chat.text()
    assert "Polri PPA-PPO officers will answer in this chat." in text
    assert "KP2MI also receives a copy." in text
    assert "/status" in text and "/darurat" in text


@pytest.mark.parametrize("category", ["held", "illegal_recruitment", "other"])
def test_danger_now_makes_a_report_urgent(category: str) -> None:
    chat = onboarded()
    ticket = file_report(chat, category, danger="yes")
    assert ticket.priority == "urgent" and ticket.danger_now
    assert chat.replies()[-1].urgency == Urgency.URGENT


def test_a_victim_under_18_goes_to_ppa_ppo_and_is_urgent() -> None:
    chat = onboarded("en", "family")
    chat.command("/lapor")
    chat.press("illegal_recruitment")
    chat.press("no")
    chat.press("other")
    chat.say("Dewi")
    chat.say("my niece")
    chat.press("yes")
    chat.press("SG")
    chat.say("Jurong")
    chat.say("The agent took her school certificate and asked for money.")
    chat.press("skip")
    chat.press("chat")
    assert "• Under 18" in chat.text()
    assert "• Person: Dewi (my niece)" in chat.text()
    chat.press("send")
    ticket = only_ticket(chat)
    assert (ticket.owner, ticket.copied, ticket.priority) == ("ppa-ppo", ("kp2mi",), "urgent")
    assert (ticket.victim, ticket.victim_name, ticket.victim_minor) == ("other", "Dewi", True)
    assert ticket.details["victim_relation"] == "my niece"


def test_a_victim_who_may_be_under_18_is_copied_to_ppa_ppo_and_high() -> None:
    chat = onboarded()
    chat.command("/lapor")
    chat.press("other")
    chat.press("no")
    chat.press("other")
    chat.say("Rina")
    chat.say("friend")
    chat.press("unsure")
    chat.press("MY")
    chat.say("Penang")
    chat.say("She is not allowed to call home.")
    chat.press("skip")
    chat.press("chat")
    chat.press("send")
    ticket = only_ticket(chat)
    # "Not sure" is a possible yes (data/routing.json "possible_yes"), not a no; the column stays
    # False because nobody said the victim is a minor, and the answer itself is in the details.
    assert (ticket.owner, ticket.copied, ticket.priority) == ("kp2mi", ("ppa-ppo",), "high")
    assert (ticket.victim_minor, ticket.details["victim_minor"]) == (False, "unsure")


def test_missing_relative_asks_what_a_family_can_know() -> None:
    chat = onboarded("en", "family")
    chat.command("/lapor")
    chat.press("missing")
    asked = [chat.state.step]
    for answer in ("Siti Aminah", "sister"):
        chat.say(answer)
        asked.append(chat.state.step)
    chat.press("no")
    asked.append(chat.state.step)
    chat.say("early March")
    asked.append(chat.state.step)
    chat.press("MY")
    asked.append(chat.state.step)
    assert asked == [
        "missing_name",
        "missing_relation",
        "missing_minor",
        "missing_last_contact",
        "country",
        "missing_employer",
    ]
    assert "danger" not in chat.state.data  # no "are you in danger" for someone else's absence


def test_missing_relative_report_without_signs() -> None:
    chat = onboarded("en", "family")
    missing_until_summary(chat)
    text = chat.text()
    assert "• Type: Missing relative" in text
    assert "• Person: Siti Aminah (sister)" in text
    assert "• Last contact: early March" in text
    chat.press("send")
    ticket = only_ticket(chat)
    assert (ticket.category, ticket.owner, ticket.copied, ticket.priority) == ("missing", "kp2mi", (), "high")
    assert ticket.victim_name == "Siti Aminah"
    assert ticket.details == {
        "victim_relation": "sister",
        "last_contact": "early March",
        "employer": "PT Contoh Jaya, Kuala Lumpur",
        "passport_number": "C1234567",
        "trafficking_signs": "no",
        "victim_minor": "no",
    }
    assert ticket.description == "She stopped answering after she moved to a new employer."


def test_missing_relative_with_trafficking_signs_copies_ppa_ppo() -> None:
    chat = onboarded("en", "family")
    missing_until_summary(chat, signs="yes")
    chat.press("send")
    ticket = only_ticket(chat)
    assert (ticket.owner, ticket.copied, ticket.priority) == ("kp2mi", ("ppa-ppo",), "high")


def test_missing_minor_goes_to_ppa_ppo_and_is_urgent() -> None:
    chat = onboarded("en", "family")
    missing_until_summary(chat, minor="yes")
    chat.press("send")
    ticket = only_ticket(chat)
    assert (ticket.owner, ticket.copied, ticket.priority) == ("ppa-ppo", ("kp2mi",), "urgent")


def test_missing_relative_ticket_is_about_someone_else() -> None:
    chat = onboarded("en", "family")
    missing_until_summary(chat)
    chat.press("send")
    assert only_ticket(chat).victim == "other"


def test_missing_employer_and_passport_can_be_skipped() -> None:
    chat = onboarded("en", "family")
    chat.command("/lapor")
    chat.press("missing")
    chat.say("Budi")
    chat.say("son")
    chat.press("unsure")
    chat.say("2 weeks ago")
    chat.press("TW")
    chat.press("skip")
    chat.press("skip")
    chat.press("unsure")
    chat.press("skip")
    chat.press("skip")
    chat.press("chat")
    chat.press("send")
    ticket = only_ticket(chat)
    assert "employer" not in ticket.details and "passport_number" not in ticket.details
    assert (ticket.country, ticket.description) == ("TW", "")


def test_another_country_is_typed() -> None:
    chat = onboarded()
    report_until_city(chat, "scam_compound", country="other")
    assert chat.state.step == "country_other"
    chat.say("Cambodia")
    chat.say("Sihanoukville")
    chat.say("We are forced to run online scams.")
    chat.press("skip")
    chat.press("chat")
    assert "• Location: Sihanoukville, Cambodia" in chat.text()
    chat.press("send")
    ticket = only_ticket(chat)
    # Understood: stored as its ISO code, the words as typed kept beside it.
    assert (ticket.country, ticket.details["country_other"]) == ("KH", "Cambodia")


def test_phone_contact_needs_digits_and_accepts_a_shared_contact() -> None:
    chat = onboarded()
    report_until_city(chat)
    chat.say("Johor Bahru")
    chat.say(STORY)
    chat.press("skip")
    chat.press("phone")
    before = snapshot(chat)
    chat.say("call me please")
    assert "at least 6 digits" in chat.text()
    assert snapshot(chat) == {**before, "data": {**before["data"], "notes": ["call me please"]}}
    chat.send(ContactIn("+60123456789"), "(contact)")
    assert "• Contact: +60123456789" in chat.text()
    chat.press("send")
    ticket = only_ticket(chat)
    assert (ticket.contact_method, ticket.contact_phone) == ("phone", "+60123456789")


def test_the_summary_shows_what_was_entered() -> None:
    chat = onboarded()
    report_until_summary(chat)
    assert chat.text().split("\n") == [
        "Please check:",
        "• Type: Held / passport withheld",
        "• Location: Johor Bahru, Malaysia",
        f"• Story: {STORY}",
        "• Contact: through this chat",
    ]
    assert choices(chat) == ["send", "edit", "cancel"]


def test_an_empty_or_overlong_answer_is_asked_again() -> None:
    chat = onboarded()
    report_until_city(chat)
    before = snapshot(chat)
    chat.say("   ")
    assert "empty" in chat.text()
    assert snapshot(chat) == before
    chat.say("x" * 201)
    # Too long for a city: kept whole for the officer, never cut, and the question asked again.
    assert "I have kept what you wrote for the officer." in chat.text()
    assert chat.text().endswith("Which city or area? (you may also send your location)")
    assert snapshot(chat) == {**before, "data": {**before["data"], "notes": ["x" * 201]}}


# -- edit from the summary -------------------------------------------------------------------------
def test_edit_changes_one_answer_and_returns_to_the_summary() -> None:
    chat = onboarded()
    report_until_summary(chat)
    before = snapshot(chat)["data"]
    chat.press("edit")
    assert choices(chat) == [
        "edit:category",
        "edit:country",
        "edit:description",
        "edit:evidence",
        "edit:contact",
    ]
    chat.press("edit:description")
    chat.say("My passport was taken on the first day.")
    assert chat.state.step == "summary"
    assert "• Story: My passport was taken on the first day." in chat.text()
    after = chat.state.data
    assert after["description"] == "My passport was taken on the first day."
    assert {k: v for k, v in after.items() if k != "description"} == {
        k: v for k, v in before.items() if k != "description"
    }
    chat.press("send")
    assert only_ticket(chat).description == "My passport was taken on the first day."


def test_edit_the_country_keeps_the_city() -> None:
    chat = onboarded()
    report_until_summary(chat)
    chat.press("edit")
    chat.press("edit:country")
    chat.press("SG")
    assert "• Location: Johor Bahru, Singapore" in chat.text()
    chat.press("send")
    assert only_ticket(chat).country == "SG"


def test_edit_the_category() -> None:
    chat = onboarded()
    report_until_summary(chat, "held")
    chat.press("edit")
    chat.press("edit:category")
    chat.press("violence")
    assert chat.state.step == "summary"
    chat.press("send")
    assert only_ticket(chat).category == "violence"


def test_the_summary_buttons_are_stale_while_editing() -> None:
    chat = onboarded()
    report_until_summary(chat)
    send = chat.find("send").data
    chat.press("edit")
    chat.press_raw(send)
    assert opened(chat) == []
    assert "That button is no longer active." in chat.text()


def test_switching_contact_to_chat_only_drops_the_phone_number() -> None:
    chat = onboarded()
    report_until_city(chat)
    chat.say("Johor Bahru")
    chat.say(STORY)
    chat.press("skip")
    chat.press("phone")
    chat.say("+60 12 345 6789 after 9pm")
    chat.press("edit")
    chat.press("edit:contact")
    chat.press("chat")
    chat.press("send")
    ticket = only_ticket(chat)
    assert (ticket.contact_method, ticket.contact_phone) == ("chat", None)


# -- attachments and location ----------------------------------------------------------------------
def test_photos_as_evidence() -> None:
    chat = onboarded()
    report_until_city(chat)
    chat.say("Johor Bahru")
    chat.say(STORY)
    chat.press("later")
    assert choices(chat) == ["done"]
    for n in range(3):
        chat.file("photo", f"photo-{n}")
    assert "Received 3 file(s)." in chat.text()
    chat.press("done")
    chat.press("chat")
    assert "• Evidence: 3 file(s)" in chat.text()
    chat.press("send")
    ticket = only_ticket(chat)
    assert [e.file_id for e in ticket.evidence] == ["photo-0", "photo-1", "photo-2"]
    assert ticket.evidence[0].kind == "photo"


def test_at_most_ten_files() -> None:
    chat = onboarded()
    report_until_city(chat)
    chat.say("Johor Bahru")
    chat.say(STORY)
    for n in range(11):
        chat.file("document", f"doc-{n}")
    assert "the most files one report can hold" in chat.text()
    chat.press("done")
    chat.press("chat")
    chat.press("send")
    assert len(only_ticket(chat).evidence) == 10


def test_done_after_the_file_limit_at_the_story_step_works() -> None:
    chat = onboarded()
    report_until_city(chat)
    chat.say("Johor Bahru")
    chat.say(STORY)
    for n in range(10):
        chat.file("photo", f"photo-{n}")
    chat.press("done")
    chat.press("chat")
    chat.press("edit")
    chat.press("edit:description")
    chat.file("photo", "photo-10")
    # At the limit the story step offers no dead button: it says so and asks for the story again.
    assert "most files" in chat.text() and chat.buttons() == []
    chat.say("A shorter story")
    assert "Please check:" in chat.text() and "A shorter story" in chat.text()


def test_a_voice_note_can_be_the_story() -> None:
    chat = onboarded()
    report_until_city(chat)
    chat.say("Johor Bahru")
    chat.send(AttachmentIn("voice", "voice-1", "audio/ogg", 20_000), "(voice)")
    assert chat.state.step == "evidence"
    assert "Received 1 file(s)." in chat.text()
    chat.press("done")
    chat.press("chat")
    chat.press("send")
    ticket = only_ticket(chat)
    assert [(e.kind, e.file_id) for e in ticket.evidence] == [("voice", "voice-1")]


def test_words_under_a_photo_become_part_of_the_story() -> None:
    chat = onboarded()
    report_until_city(chat)
    chat.say("Johor Bahru")
    chat.send(
        AttachmentIn("photo", "photo-1", "image/jpeg", 9000, caption="My passport, taken by the agent"),
        "(photo)",
    )
    chat.send(AttachmentIn("photo", "photo-2", "image/jpeg", 9000, caption="The dormitory"), "(photo)")
    chat.press("done")
    chat.press("chat")
    chat.press("send")
    ticket = only_ticket(chat)
    assert ticket.description == "My passport, taken by the agent\nThe dormitory"
    assert [e.file_id for e in ticket.evidence] == ["photo-1", "photo-2"]


def test_a_location_answers_the_city_step() -> None:
    chat = onboarded()
    report_until_city(chat)
    chat.location(1.4927, 103.7414)
    assert chat.state.step == "description"
    chat.say(STORY)
    chat.press("skip")
    chat.press("chat")
    assert "• Location: shared location, Malaysia" in chat.text()
    chat.press("send")
    ticket = only_ticket(chat)
    assert (ticket.latitude, ticket.longitude, ticket.city) == (1.4927, 103.7414, None)


def test_the_city_step_asks_for_a_location() -> None:
    chat = onboarded()
    report_until_city(chat)
    assert "send your location" in chat.text()


def test_a_location_where_none_is_asked_is_kept_for_the_officer() -> None:
    chat = onboarded()
    chat.command("/lapor")
    before = snapshot(chat)
    chat.location(1.0, 103.0)
    assert "I have kept your location for the officer." in chat.text()
    assert snapshot(chat) == {**before, "data": {"location": [1.0, 103.0]}}


def test_a_file_outside_a_flow_points_to_status() -> None:
    chat = onboarded()
    before = snapshot(chat)
    chat.file()
    assert "/status" in chat.text()
    assert snapshot(chat) == before


def test_a_file_where_none_is_asked_is_kept_as_evidence() -> None:
    chat = onboarded()
    chat.command("/lapor")
    before = snapshot(chat)
    chat.file()
    assert "I have kept this file for the officer." in chat.text()
    assert [f["file_id"] for f in chat.state.data["evidence"]] == ["file-1"]
    assert chat.state.step == before["step"]
