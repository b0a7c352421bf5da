"""Danger gets help at once: "in danger right now: yes" shows the emergency card before the next
question; danger words in a caption work as in text; after the card nothing typed is lost, the
message with the danger words included; a country chosen on the card is not asked again."""

from __future__ import annotations

from flows.events import EmergencyShown, ReporterMessageAdded
from flows.incoming import AttachmentIn
from flows.replies import Urgency
from tests.support.chat import Chat
from tests.support.steps import (
    STORY,
    choices,
    file_report,
    last_events,
    onboarded,
    only_ticket,
    report_until_city,
)


def photo(chat: Chat, caption: str, file_id: str = "photo-9") -> None:
    chat.send(AttachmentIn("photo", file_id, "image/jpeg", 1000, caption=caption), f"(photo: {caption})")


def test_in_danger_now_yes_shows_the_card_before_the_next_question() -> None:
    chat = onboarded()
    chat.command("/lapor")
    chat.press("held")
    chat.press("yes")
    assert chat.replies()[0].urgency == Urgency.EMERGENCY
    assert chat.text().startswith("If you are in danger now:")
    assert "Who is this report about?" not in chat.text()
    assert {"g.urgent", "g.resume"} <= {b.data for b in chat.buttons()}
    chat.press("resume")
    assert chat.text() == "Who is this report about?"


def test_in_danger_now_one_tap_sends_what_is_known_as_urgent_and_the_rest_follows() -> None:
    chat = onboarded()
    chat.command("/lapor")
    chat.press("violence")
    chat.press("yes")
    chat.press("urgent")
    ticket = only_ticket(chat)
    assert (ticket.category, ticket.priority, ticket.danger_now) == ("violence", "urgent", True)
    assert (ticket.owner, ticket.copied) == ("ppa-ppo", ("kp2mi",))
    chat.say("Saya di Johor, rumah warna biru")
    assert [(e.ref, e.text) for e in last_events(chat, ReporterMessageAdded)] == [
        (ticket.ref, "Saya di Johor, rumah warna biru")
    ]


def test_danger_words_in_the_story_are_the_story_and_continue_goes_on_from_there() -> None:
    chat = onboarded()
    report_until_city(chat, "violence")
    chat.say("Johor Bahru")
    chat.say("Saya dipukul majikan setiap hari dan paspor saya ditahan.")
    assert last_events(chat, EmergencyShown)
    chat.press("resume")
    # Not asked for the story again: the next question is the evidence.
    assert "photos or documents" in chat.text()
    chat.press("skip")
    chat.press("chat")
    chat.press("send")
    ticket = only_ticket(chat)
    assert ticket.description == "Saya dipukul majikan setiap hari dan paspor saya ditahan."
    assert "notes" not in ticket.details


def test_danger_words_in_the_story_then_urgent_keep_the_story_once() -> None:
    chat = onboarded()
    report_until_city(chat, "violence")
    chat.say("Johor Bahru")
    chat.say("Saya dipukul majikan.")
    chat.press("urgent")
    ticket = only_ticket(chat)
    assert ticket.description == "Saya dipukul majikan."
    assert ticket.priority == "urgent"


def test_danger_words_under_a_photo_in_a_report_show_the_card_and_keep_the_photo() -> None:
    chat = onboarded()
    report_until_city(chat)
    chat.say("Johor Bahru")
    photo(chat, "saya disekap di sini")
    assert last_events(chat, EmergencyShown)
    assert chat.replies()[0].urgency == Urgency.EMERGENCY
    chat.press("urgent")
    ticket = only_ticket(chat)
    assert [e.file_id for e in ticket.evidence] == ["photo-9"]
    assert ticket.description == "saya disekap di sini"


def test_danger_words_under_a_photo_outside_a_flow_bring_the_card_and_an_urgent_report() -> None:
    chat = Chat()
    photo(chat, "help me I am locked in")
    assert last_events(chat, EmergencyShown)
    chat.press("urgent")
    ticket = only_ticket(chat)
    assert ticket.priority == "urgent"
    assert ticket.description == "help me I am locked in"
    assert [e.file_id for e in ticket.evidence] == ["photo-9"]


def test_danger_words_to_an_open_ticket_join_it_as_urgent() -> None:
    chat = onboarded()
    ticket = file_report(chat)
    photo(chat, "saya dipukul lagi", "photo-10")
    assert last_events(chat, EmergencyShown)
    [joined] = last_events(chat, ReporterMessageAdded)
    assert (joined.ref, joined.text, joined.danger) == (ticket.ref, "saya dipukul lagi", True)
    assert joined.evidence[0].file_id == "photo-10"
    assert "passed on to the officers as urgent" in chat.text()
    assert "g.urgent" not in {b.data for b in chat.buttons()}  # no second report


def test_another_country_on_the_card_is_typed_and_understood() -> None:
    chat = Chat()
    chat.command("/darurat")
    chat.press("ecountry.other")
    assert "Please type its name" in chat.text()
    chat.say("Kamboja")
    text = chat.text()
    assert "We have no checked local emergency number for Cambodia yet." in text  # FACTS.md has none
    assert chat.state.country == "KH"


def test_a_country_without_a_checked_number_says_so() -> None:
    chat = Chat()
    chat.command("/darurat")
    chat.press("ecountry.MM")
    assert "We have no checked local emergency number for Myanmar yet." in chat.text()
    assert "KP2MI" in chat.text()


def test_a_country_chosen_on_the_card_is_not_asked_again() -> None:
    chat = onboarded()
    chat.command("/darurat")
    chat.press("ecountry.KH")
    chat.command("/lapor")
    chat.press("scam_compound")
    chat.press("no")
    chat.press("self")
    assert chat.text().startswith("Which city or area?")
    chat.say("Sihanoukville")
    chat.say(STORY)
    chat.press("skip")
    chat.press("chat")
    assert "• Location: Sihanoukville, Cambodia" in chat.text()
    chat.press("send")
    assert only_ticket(chat).country == "KH"


def test_a_country_chosen_on_the_card_mid_report_answers_the_report() -> None:
    chat = onboarded()
    chat.command("/lapor")
    chat.press("held")
    chat.press("no")
    chat.press("self")
    chat.say("saya disekap")
    chat.press("ecountry.TH")
    assert "We have no checked local emergency number for Thailand yet." in chat.text()
    chat.press("resume")
    assert chat.text().startswith("Which city or area?")
    assert "MY" not in choices(chat)
