"""The emergency card (``flows.emergency``): /darurat, danger words before and during a report, the urgent
report and what it keeps.

Played through the scripted Chat driver; the Chat has no translators, so every message renders as its
English msgid."""

from __future__ import annotations

from flows.events import (
    ConsentGiven,
    EmergencyShown,
    ReporterMessageAdded,
)
from flows.incoming import TextIn
from flows.replies import Urgency
from tests.support.chat import Chat
from tests.support.steps import (
    STORY,
    button_data,
    choices,
    file_report,
    last_events,
    onboarded,
    only_ticket,
    opened,
    report_until_city,
    snapshot,
)


# -- emergency -------------------------------------------------------------------------------------
def test_darurat_before_start_shows_the_card_with_no_question_first() -> None:
    chat = Chat()
    before = snapshot(chat)
    chat.command("/darurat")
    first = chat.replies()[0]
    assert first.urgency == Urgency.EMERGENCY
    assert len(chat.replies()) == 1
    text = chat.text()
    assert text.startswith("If you are in danger now:")
    assert "Polri (in Indonesia): 110" in text and "KP2MI (from abroad)" in text
    assert "Do you agree?" not in text and "Choose your language." not in text
    assert last_events(chat, EmergencyShown) == [EmergencyShown(None, chat.now)]
    assert not any(isinstance(e, ConsentGiven) for e in chat.events)
    assert {"g.urgent", "g.menu", "g.ecountry.MY"} <= set(button_data(chat))
    assert snapshot(chat) == before


def test_choosing_a_country_on_the_card_shows_its_local_numbers() -> None:
    chat = Chat()
    chat.command("/emergency")
    chat.press("ecountry.TW")
    text = chat.text()
    assert "Police Taiwan: 110" in text and "Foreign worker hotline Taiwan: 1955" in text
    assert chat.state.country == "TW"
    assert not any(d.startswith("g.ecountry.") for d in button_data(chat))


def test_danger_words_before_start_show_the_card() -> None:
    chat = Chat()
    chat.say("tolong saya dikurung, tidak boleh keluar")
    assert chat.replies()[0].urgency == Urgency.EMERGENCY
    assert last_events(chat, EmergencyShown)
    assert chat.state.emergency_seen == ["dikurung"]


def test_danger_words_interrupt_a_report_with_the_local_number_first() -> None:
    chat = onboarded()
    report_until_city(chat, "held", country="MY")
    before = snapshot(chat)
    chat.say("saya disekap majikan")
    first = chat.replies()[0]
    assert first.urgency == Urgency.EMERGENCY
    text = chat.text()
    assert text.startswith("If you are in danger now:")
    assert text.index("Emergency Malaysia: 999") < text.index("KP2MI")
    assert "Your unfinished report is kept." in text
    assert {"g.urgent", "g.resume"} <= set(button_data(chat))
    assert last_events(chat, EmergencyShown)[0].country == "MY"
    state = chat.state
    assert (state.flow, state.step) == ("report", "city")
    kept = {k: v for k, v in state.data.items() if k != "emergency_text"}
    # Not the city: kept as a note for the officer, the city still to be asked.
    assert kept == {**before["data"], "notes": ["saya disekap majikan"]}


def test_continue_re_asks_the_same_step_with_data_kept() -> None:
    chat = onboarded()
    report_until_city(chat)
    data_before = snapshot(chat)["data"]
    chat.say("saya disekap")
    chat.press("resume")
    assert chat.text() == "Which city or area? (you may also send your location)"
    assert chat.state.step == "city"
    kept = {k: v for k, v in chat.state.data.items() if k != "emergency_text"}
    assert kept == {**data_before, "notes": ["saya disekap"]}
    chat.say("Johor Bahru")
    chat.say(STORY)
    chat.press("skip")
    chat.press("chat")
    chat.press("send")
    ticket = only_ticket(chat)
    assert (ticket.category, ticket.priority, ticket.city) == ("held", "high", "Johor Bahru")


def test_urgent_report_keeps_what_was_entered() -> None:
    chat = onboarded()
    report_until_city(chat, "held")
    chat.say("Johor Bahru")
    chat.say(STORY)
    chat.say("tolong, saya dipukul sekarang")
    chat.press("urgent")
    ticket = only_ticket(chat)
    assert (ticket.category, ticket.priority, ticket.danger_now) == ("held", "urgent", True)
    assert (ticket.owner, ticket.copied) == ("ppa-ppo", ("kp2mi",))
    assert (ticket.country, ticket.city) == ("MY", "Johor Bahru")
    assert ticket.description == f"{STORY}\ntolong, saya dipukul sekarang"
    assert ticket.details["emergency_words"] == "dipukul"
    # What they send next (where they are, a location, a photo) joins the urgent ticket.
    assert chat.state.flow is None and chat.state.thread_ref == ticket.ref
    assert "send your location" in chat.text()
    assert ticket.ref in chat.text()


def test_urgent_report_before_onboarding_counts_as_consent_for_it() -> None:
    chat = Chat()
    chat.say("help me I am trapped")
    chat.press("urgent")
    [consent] = [e for e in chat.events if isinstance(e, ConsentGiven)]
    assert consent.scope == "emergency"
    ticket = only_ticket(chat)
    assert (ticket.category, ticket.priority, ticket.owner) == ("emergency", "urgent", "ppa-ppo")
    assert ticket.description == "help me I am trapped"
    assert ticket.details["emergency_words"] == "help me, trapped"


def test_the_card_is_not_repeated_for_the_same_words() -> None:
    chat = onboarded()
    report_until_city(chat)
    chat.say("saya disekap")
    chat.press("resume")
    chat.say("Johor, saya disekap")
    assert not last_events(chat, EmergencyShown)
    assert chat.state.data["city"] == "Johor, saya disekap"
    chat.say("sekarang saya dipukul")  # a new word is a new alarm
    assert last_events(chat, EmergencyShown)


def test_tolong_bantu_saya_alone_does_not_trigger() -> None:
    chat = Chat()
    chat.say("tolong bantu saya")
    assert not last_events(chat, EmergencyShown)
    chat = onboarded()
    report_until_city(chat)
    chat.say("Johor Bahru")
    chat.say("tolong bantu saya, gaji belum dibayar")
    assert not any(isinstance(e, EmergencyShown) for e in chat.events)
    assert chat.state.data["description"] == "tolong bantu saya, gaji belum dibayar"


def test_darurat_mid_report_offers_to_continue() -> None:
    chat = onboarded()
    report_until_city(chat)
    before = snapshot(chat)
    chat.command("/darurat")
    assert "g.resume" in button_data(chat)
    assert snapshot(chat) == before
    chat.press("resume")
    assert chat.state.step == "city"


def test_urgent_pressed_twice_opens_one_ticket() -> None:
    chat = onboarded()
    chat.say("saya disekap")
    chat.press("urgent")
    chat.press_raw("g.urgent")
    assert len(opened(chat)) == 1


def test_location_sent_after_an_urgent_report_reaches_the_ticket() -> None:
    chat = onboarded()
    chat.say("saya disekap")
    chat.press("urgent")
    ref = only_ticket(chat).ref
    chat.location(3.139, 101.687)
    assert "/lapor" not in chat.text()
    assert any(getattr(e, "ref", None) == ref for e in chat.last.events)  # type: ignore[union-attr]


def test_a_reply_with_danger_words_still_reaches_the_ticket() -> None:
    chat = onboarded()
    ticket = file_report(chat)
    chat.send(TextIn("saya dipukul lagi", reply_to_ref=ticket.ref), "(reply)")
    assert last_events(chat, EmergencyShown)
    assert [e.ref for e in last_events(chat, ReporterMessageAdded)] == [ticket.ref]


def test_choosing_indonesia_on_the_card_does_not_ask_again() -> None:
    chat = Chat()
    chat.command("/darurat")
    chat.press("ecountry.ID")
    assert "Tell us the country you are in" not in chat.text()


def test_card_country_buttons_work_mid_report_in_another_country() -> None:
    chat = onboarded()
    report_until_city(chat, "scam_compound", country="other")
    chat.say("Negeri Antah Berantah")  # a country the bot cannot tell
    chat.say("saya disekap")
    chat.press("ecountry.MY")
    assert "Emergency Malaysia: 999" in chat.text()


def test_emergency_consent_does_not_skip_the_privacy_notice_later() -> None:
    chat = Chat()
    chat.say("tolong saya dikurung")
    chat.press("urgent")
    chat.command("/lapor")
    chat.press_raw("g.lang.en")
    assert "agree" in choices(chat)


# -- what follows the card, before the urgent tap --------------------------------------------------
def test_words_after_the_card_are_kept_and_reach_the_urgent_ticket() -> None:
    # Before onboarding: the language question is still open, and words there used to get "please
    # choose a button" and were lost.
    chat = Chat()
    chat.say("tolong saya disekap di kamboja")
    chat.say("paspor saya ditahan majikan")
    assert chat.text().startswith("I have kept this with your urgent message.")
    assert len(chat.replies()) == 1 and chat.replies()[0].urgency == Urgency.URGENT
    assert "g.urgent" in button_data(chat)
    chat.say("saya di lantai 3, ada 20 orang")  # the same burst: kept without another answer
    assert chat.replies() == ()
    chat.say("saya dipukul tadi")  # a new danger word: the card again, and kept too
    assert last_events(chat, EmergencyShown)
    chat.press("urgent")
    ticket = only_ticket(chat)
    assert ticket.description == (
        "tolong saya disekap di kamboja\npaspor saya ditahan majikan\n"
        "saya di lantai 3, ada 20 orang\nsaya dipukul tadi"
    )
    assert chat.state.card_story == [] and chat.state.card_files == []


def test_every_danger_message_reaches_the_ticket_not_only_the_last() -> None:
    chat = onboarded()
    chat.say("saya disekap")
    chat.say("sekarang saya dipukul")
    chat.press("urgent")
    assert only_ticket(chat).description == "saya disekap\nsekarang saya dipukul"
    assert only_ticket(chat).details["emergency_words"] == "dipukul, disekap"


def test_a_place_and_a_photo_after_the_card_reach_the_urgent_ticket() -> None:
    chat = onboarded()
    chat.say("saya dikurung")
    chat.location(11.55, 104.92)
    assert "/lapor" not in chat.text() and "kept this with your urgent message" in chat.text()
    chat.file("photo", "photo-1")
    chat.press("urgent")
    ticket = only_ticket(chat)
    assert (ticket.latitude, ticket.longitude) == (11.55, 104.92)
    assert "📍 11.55000, 104.92000" in ticket.description
    assert [e.file_id for e in ticket.evidence] == ["photo-1"]


def test_a_command_after_the_card_does_what_it_says_and_keeps_what_was_written() -> None:
    chat = onboarded()
    chat.say("saya dikurung")
    chat.say("majikan ambil hp saya")
    chat.say("menu")  # a typed command word is the command, not words for the officers
    assert "kept this" not in chat.text()
    chat.say("apa kabar")  # the card no longer listens: the usual answer
    assert "did not understand" in chat.text()
    chat.command("/lapor")  # a report started now carries what was written after the card
    assert chat.state.data["notes"] == ["saya dikurung", "majikan ambil hp saya"]
    assert chat.state.card_story == []


def test_cancel_after_the_card_says_what_it_drops() -> None:
    chat = onboarded()
    chat.say("saya dikurung")
    chat.say("tolong cepat")
    chat.command("/batal")
    assert chat.text().startswith("Stopped. Nothing half-entered was sent.")
    assert chat.state.card_story == []


def test_in_a_report_the_report_keeps_what_follows_the_card() -> None:
    chat = onboarded()
    report_until_city(chat, "held", country="MY")
    chat.say("saya disekap majikan")
    assert not chat.state.card_listens
    chat.say("Johor Bahru")  # the city question is still the one on screen
    assert chat.state.data["city"] == "Johor Bahru"


# -- the country the danger words name --------------------------------------------------------------
def test_a_country_named_in_the_danger_words_shows_its_numbers() -> None:
    chat = Chat()
    chat.say("tolong saya disekap di malaysia")
    text = chat.text()
    assert "Emergency Malaysia: 999" in text
    assert "Tell us the country you are in" not in text
    # Read from the words, not answered: the country buttons stay, to correct a wrong reading.
    assert "g.ecountry.MY" in button_data(chat)
    assert last_events(chat, EmergencyShown) == [EmergencyShown("MY", chat.now)]


def test_a_country_without_checked_numbers_is_said_so_and_kept_as_read_not_answered() -> None:
    chat = Chat()
    chat.say("tolong saya disekap di kamboja")
    text = chat.text()
    # contacts.json has no checked local number for Cambodia: the card says so, and invents none.
    assert "We have no checked local emergency number for Cambodia yet." in text
    assert "Polri (in Indonesia): 110" in text
    chat.press("urgent")
    ticket = only_ticket(chat)
    assert ticket.country is None  # nobody answered the question
    assert ticket.details["emergency_country"] == "KH"
    assert chat.state.card_place is None


def test_a_nationality_is_not_a_place_and_a_tap_wins_over_the_words() -> None:
    chat = Chat()
    chat.say("bos cina dipukul saya")
    assert "Tell us the country you are in" in chat.text()
    chat = Chat()
    chat.say("saya disekap di kamboja")
    chat.press("ecountry.MY")  # the person's own answer
    assert "Emergency Malaysia: 999" in chat.text()
    chat.press("urgent")
    ticket = only_ticket(chat)
    assert ticket.country == "MY" and "emergency_country" not in ticket.details


def test_words_kept_at_the_privacy_question_go_with_the_urgent_report() -> None:
    chat = Chat()
    chat.command("/start")
    chat.press("lang.en")
    chat.say("my sister went to work in Malaysia")
    chat.say("now she is locked in a house")
    chat.press("urgent")
    ticket = only_ticket(chat)
    assert ticket.details["notes"] == "my sister went to work in Malaysia"
    assert ticket.description == "now she is locked in a house"
