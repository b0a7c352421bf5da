"""The /cek flow (``flows.check``) through the engine: what is "found", the wording of each status,
where every answer comes from, one message per answer, and "report this recruiter".

The registry behind it is the real search (``tests.support.memory.MemoryRegistry`` wraps
``RegistryIndex``) over fictional companies; messages render as their English msgids."""

from __future__ import annotations

import gettext
from datetime import date

import pytest

from bot.i18n import renderer
from flows.check import QUESTIONS, report_prefill, source_text
from flows.ports import Recruiter
from flows.recruiter_facts import card_lines, red_flag_lines
from flows.render import Renderer
from flows.text import Text
from tests.support.chat import Chat
from tests.support.memory import MemoryRegistry
from tests.support.steps import button_data, check_until_offer, choices, onboarded, only_ticket, snapshot

COMPANIES = (
    Recruiter(
        "PT Bintang Samudra Karya (CONTOH)",
        "SIP3MI-T-0417",
        "active",
        date(2027, 6, 30),
        "Jawa Timur",
        "Malang",
    ),
    Recruiter(
        "PT Kenari Pelangi Tujuh (CONTOH)",
        "SIP3MI-T-0102",
        "suspended",
        date(2027, 11, 30),
        "Jawa Barat",
        "Cirebon",
    ),
    Recruiter(
        "PT Mercusuar Kertas Abadi (CONTOH)",
        "SIP3MI-T-0103",
        "revoked",
        date(2027, 1, 31),
        "Nusa Tenggara Barat",
        "Mataram",
    ),
    Recruiter(
        "PT Pena Bulu Angsa (CONTOH)",
        "SIP3MI-T-0112",
        "expired",
        date(2026, 3, 31),
        "DKI Jakarta",
        "Jakarta Timur",
    ),
    Recruiter("PT Lama Berlaku (CONTOH)", "SIP3MI-T-0200", "active", date(2026, 1, 31)),
    Recruiter("PT Kembar Jaya (CONTOH)", "SIP3MI-T-0301", "revoked", None, "Bali", "Denpasar"),
    Recruiter("PT Kembar Jaya (CONTOH)", "SIP3MI-T-0302", "active", date(2028, 1, 31), "Bali", "Badung"),
)
# The red-flag questions in order, each with the answer that is the warning sign. The last two
# are asked the positive way round ("Have you received a written contract?"): there "no" warns.
WARNING_ANSWERS = (
    ("fees", "yes"),
    ("tourist_visa", "yes"),
    ("scam_job", "yes"),
    ("passport_kept", "yes"),
    ("no_contract", "no"),
    ("no_orientation", "no"),
)


def checking(query: str, *, sample: bool = True, lang: str = "en") -> Chat:
    chat = onboarded(lang, "prospective", registry=MemoryRegistry(COMPANIES, is_sample=sample))
    check_until_offer(chat, query)
    return chat


def answer_questions(chat: Chat, flagged: set[str]) -> None:
    """Answer every red-flag question, giving the warning answer exactly for ``flagged``."""
    chat.press("check")
    for flag, warning in WARNING_ANSWERS:
        safe = "no" if warning == "yes" else "yes"
        chat.press(warning if flag in flagged else safe)


def report_after_check(chat: Chat) -> None:
    """Press "report this recruiter" (on whichever message showed it) and fill in the rest."""
    chat.press_raw("g.report_recruiter")
    chat.press("no")
    chat.press("self")
    chat.press("ID")
    chat.say("Mataram")
    chat.say("They asked for 25 million rupiah into a personal account.")
    chat.press("skip")
    chat.press("chat")
    chat.press("send")


def rendered(lines: list[Text]) -> list[str]:
    plain = Renderer("en", gettext.NullTranslations(), "plain")
    return [plain.text(line) for line in lines]


# -- found means the same name -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "how"),
    [
        ("PT. Bintang-Samudra Karya", "Found: the same name."),
        ("bintang samudra karya (contoh)", "Found: the same name."),
        (" sip3mi - t - 0417 ", "Found: the same licence number."),
    ],
)
def test_the_same_name_or_licence_is_found(query: str, how: str) -> None:
    chat = checking(query)

    text = chat.text()
    assert how in text
    assert (
        "PT Bintang Samudra Karya (CONTOH) — licence SIP3MI-T-0417 — ACTIVE, valid until 30 Jun 2027 "
        "— Malang, Jawa Timur"
    ) in text
    assert "A licensed company does not always offer a safe job." in text
    assert chat.state.data["recruiter"] == {
        "name": "PT Bintang Samudra Karya (CONTOH)",
        "license": "SIP3MI-T-0417",
        "status": "active",
    }
    assert choices(chat) == ["check", "no"]
    assert chat.state.step == "offer"


@pytest.mark.parametrize(
    "query",
    [
        "PT Bintang Timur Karya",
        "Bintang Samudra Jaya",
        "PT Bintang Samudra Karya Internasional",
        "CV Bintang Samudra Karya",
        "Bintang Samudra",
    ],
)
def test_a_lookalike_is_never_found(query: str) -> None:
    chat = checking(query)

    text = chat.text()
    assert "Found" not in text
    assert "No company with exactly this name or number is in this list." in text
    assert "Similar names, of other companies:" in text
    assert "PT Bintang Samudra Karya (CONTOH) — licence SIP3MI-T-0417 — ACTIVE" in text
    assert "Illegal recruiters use names like those of licensed companies." in text
    assert "letter by letter" in text
    assert chat.state.data["status"] == "not_found"
    assert chat.state.data["recruiter"] == {"name": query, "license": "", "status": "not_found"}
    assert "g.report_recruiter" in button_data(chat)


@pytest.mark.parametrize(
    "query", ["PT Bintang Samudra Karja", "pt bintang samudera karya", "Pena Bulu Angsx"]
)
def test_a_one_letter_typo_asks_did_you_mean_and_is_not_found(query: str) -> None:
    chat = checking(query)

    text = chat.text()
    assert "Found" not in text
    assert "Did you mean:" in text
    assert "send its licence number" in text
    assert "letter by letter" in text
    assert chat.state.data["status"] == "not_found"


def test_typing_the_licence_number_after_did_you_mean_checks_it() -> None:
    chat = checking("PT Bintang Samudra Karja")
    chat.say("SIP3MI-T-0417")

    assert "Found: the same licence number." in chat.text()
    assert chat.state.data["status"] == "active"
    assert len(chat.replies()) == 1


def test_several_companies_with_the_same_name_are_told_apart_by_licence() -> None:
    chat = checking("Kembar Jaya")

    assert len(chat.replies()) == 1
    text = chat.text()
    assert "Several companies in this list have this name:" in text
    assert "SIP3MI-T-0301 — REVOKED — Denpasar, Bali" in text
    assert "Which licence number is on your contract?" in text
    assert chat.state.step == "pick"
    assert choices(chat) == ["0", "1", "none"]
    chat.press("1")
    assert chat.state.data["recruiter"]["license"] == "SIP3MI-T-0302"
    assert "Found: the same name." in chat.text()
    assert chat.state.step == "offer"


def test_none_of_the_companies_with_that_name_is_not_found() -> None:
    chat = checking("Kembar Jaya")
    chat.press("none")

    text = chat.text()
    assert "is not one of the companies with this name" in text
    assert "letter by letter" in text
    assert chat.state.data["status"] == "not_found"
    answer_questions(chat, set())
    assert "High risk." in chat.text()


def test_check_pick_with_a_non_decimal_digit_does_not_crash() -> None:
    chat = checking("Kembar Jaya")
    before = snapshot(chat)
    chat.press_raw(f"{chat.state.turn}.²")
    assert snapshot(chat) == before


# -- the wording of each status ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "status_line", "advice"),
    [
        (
            "Kenari Pelangi Tujuh",
            "SIP3MI-T-0102 — SUSPENDED — Cirebon, Jawa Barat",
            "Its licence is suspended.",
        ),
        (
            "Mercusuar Kertas Abadi",
            "SIP3MI-T-0103 — REVOKED — Mataram, Nusa Tenggara Barat",
            "Its licence has been revoked:",
        ),
        (
            "Pena Bulu Angsa",
            "SIP3MI-T-0112 — EXPIRED on 31 Mar 2026 — Jakarta Timur, DKI Jakarta",
            "Its licence has expired:",
        ),
        (
            "Lama Berlaku",
            "SIP3MI-T-0200 — ACTIVE in the list, but valid only until 31 Jan 2026",
            "The list may not be up to date",
        ),
    ],
)
def test_a_licence_not_valid_now_says_so_without_until(query: str, status_line: str, advice: str) -> None:
    chat = checking(query)

    text = chat.text()
    assert status_line in text
    assert "until" not in text.replace("valid only until", "")
    assert advice in text
    assert "Do not pay" in text or "before you pay" in text
    assert "• KP2MI toll-free (from Indonesia): 0-800-1000" in text
    # About a company that is not licensed now, never "a licensed company ...".
    assert "licensed company" not in text
    assert "g.report_recruiter" in button_data(chat)


def test_not_found_never_speaks_of_a_licensed_company() -> None:
    chat = checking("PT Maju Terus Sejahtera")

    text = chat.text()
    assert "No company with exactly this name or number is in this list." in text
    assert "A licensed company" not in text
    # Nothing like it: no lookalike list and no lookalike warning to go with it.
    assert "Similar names" not in text and "Did you mean" not in text


# -- where the answer comes from ---------------------------------------------------------------
@pytest.mark.parametrize(
    "query", ["PT Bintang Samudra Karya", "PT Maju Terus Sejahtera", "Bintang Samudra Jaya", "Kembar Jaya"]
)
def test_the_sample_is_named_as_the_sample_with_its_date_and_never_official(query: str) -> None:
    chat = checking(query, sample=True)

    text = chat.text()
    assert text.startswith(
        "Checked in the SAMPLE list (fictional companies for trying the bot; not the official "
        "registry), updated 1 Oct 2026."
    )
    assert "official P3MI" not in text
    assert "not in the official" not in text


def test_not_found_in_the_sample_does_not_say_the_company_is_unlicensed() -> None:
    chat = checking("PT Maju Terus Sejahtera", sample=True)

    text = chat.text()
    assert "This is only the sample list: a real company can be missing from it." in text
    assert "confirms that the company is licensed" not in text
    assert "• Official list of licensed companies (KP2MI): SISKOP2MI" in text


@pytest.mark.parametrize("query", ["PT Bintang Samudra Karya", "PT Maju Terus Sejahtera", "Pena Bulu Angsa"])
def test_the_official_list_is_named_with_its_date(query: str) -> None:
    chat = checking(query, sample=False)

    text = chat.text()
    assert text.startswith("Checked in the official P3MI list, updated 1 Oct 2026.")
    assert "SAMPLE" not in text


def test_not_found_in_the_official_list_gives_the_kp2mi_channels() -> None:
    chat = checking("PT Maju Terus Sejahtera", sample=False)

    text = chat.text()
    assert "Do not pay or hand over documents before KP2MI confirms that the company is licensed:" in text
    for line in (
        "• KP2MI toll-free (from Indonesia): 0-800-1000",
        "• KP2MI (from abroad): +62 21 2924 4800",
        "• KP2MI WhatsApp: 0811-8080-141",
        "• Official list of licensed companies (KP2MI): SISKOP2MI",
    ):
        assert line in text


def test_a_list_without_an_update_date_says_so() -> None:
    assert source_text({"sample": False, "updated": None}).msgid == (
        "Checked in the official P3MI list. Its update date is not given."
    )
    assert "Its update date is not given." in source_text({"sample": True, "updated": None}).msgid


def test_the_verdict_names_the_company_and_the_list_again() -> None:
    chat = checking("Mercusuar Kertas Abadi")
    answer_questions(chat, set())

    lines = chat.text().split("\n")
    assert lines[0].startswith("PT Mercusuar Kertas Abadi (CONTOH) — licence SIP3MI-T-0103 — REVOKED")
    assert lines[1].startswith("Checked in the SAMPLE list")
    assert lines[2].startswith("High risk.")


# -- one answer, one message -------------------------------------------------------------------
@pytest.mark.parametrize(
    "query",
    [
        "PT Bintang Samudra Karya",
        "SIP3MI-T-0103",
        "Kenari Pelangi Tujuh",
        "Pena Bulu Angsa",
        "Bintang Samudra Jaya",
        "PT Bintang Samudra Karja",
        "PT Maju Terus Sejahtera",
        "Kembar Jaya",
    ],
)
def test_each_answer_is_one_message_with_its_choices(query: str) -> None:
    chat = checking(query)

    [reply] = chat.replies()
    assert reply.buttons
    assert len(renderer("id").lines(reply.lines)) < 4096  # Telegram's limit: never split


def test_a_name_typed_at_the_offer_is_checked_in_its_place() -> None:
    chat = checking("Bintang Samudra Jaya")
    chat.say("Mercusuar Kertas Abadi")

    assert chat.state.data["status"] == "revoked"
    assert "Bintang Samudra Jaya" not in str(chat.state.data)
    assert len(chat.replies()) == 1


@pytest.mark.parametrize(("typed", "step"), [("ya", "q0"), ("Tidak", None), ("yes", "q0")])
def test_yes_or_no_typed_at_the_offer_answers_it(typed: str, step: str | None) -> None:
    chat = checking("PT Bintang Samudra Karya")
    chat.say(typed)

    assert chat.state.step == step


def test_check_too_short_a_query_is_asked_again() -> None:
    chat = onboarded()
    chat.command("/cek")
    before = snapshot(chat)
    chat.say("a")
    assert "at least two letters" in chat.text()
    assert snapshot(chat) == before


def test_check_asks_six_questions_one_at_a_time() -> None:
    chat = checking("PT Bintang Samudra Karya")
    chat.press("check")
    seen = []
    for _ in range(6):
        seen.append(chat.text().split("\n")[0])
        assert choices(chat) == ["yes", "no"]
        chat.press("no")
    assert seen == [f"Question {n} of 6" for n in range(1, 7)]


@pytest.mark.parametrize(
    ("query", "flagged", "verdict"),
    [
        ("PT Bintang Samudra Karya", set(), "No warning signs found."),
        ("PT Bintang Samudra Karya", {"fees"}, "Be careful."),
        ("PT Bintang Samudra Karya", {"no_orientation"}, "Be careful."),
        ("PT Bintang Samudra Karya", {"no_contract"}, "Be careful."),
        ("PT Bintang Samudra Karya", {"tourist_visa"}, "High risk."),
        ("PT Bintang Samudra Karya", {"scam_job"}, "High risk."),
        ("PT Bintang Samudra Karya", {"passport_kept"}, "High risk."),
        ("PT Bintang Samudra Karya", {"fees", "no_contract"}, "High risk."),
        ("PT Bintang Samudra Karya", {"no_contract", "no_orientation"}, "High risk."),
        ("Mercusuar Kertas Abadi", set(), "High risk."),
        ("Bintang Samudra Jaya", set(), "High risk."),
    ],
)
def test_check_verdict(query: str, flagged: set[str], verdict: str) -> None:
    chat = checking(query)
    answer_questions(chat, flagged)

    assert verdict in chat.text()
    assert "/info" in chat.text()
    assert "g.report_recruiter" in button_data(chat)
    assert chat.state.flow is None
    assert len(chat.replies()) == 1
    assert ("• KP2MI WhatsApp: 0811-8080-141" in chat.text()) == (verdict != "No warning signs found.")


def test_check_verdict_explains_each_sign() -> None:
    chat = checking("PT Bintang Samudra Karya")
    answer_questions(chat, {"passport_kept", "tourist_visa"})
    assert "never a tourist or visit visa" in chat.text()
    assert "no agent may keep them" in chat.text()


def test_check_no_thanks_still_offers_a_report() -> None:
    chat = checking("PT Bintang Samudra Karya")
    chat.press("no")
    assert "Check again any time with /cek." in chat.text()
    assert "g.report_recruiter" in button_data(chat)


# -- report this recruiter ---------------------------------------------------------------------
def test_report_this_recruiter_fills_in_the_company_and_the_category() -> None:
    chat = checking("Mercusuar Kertas Abadi")
    answer_questions(chat, {"fees", "tourist_visa"})
    chat.press("report_recruiter")

    # The category is known: the first question is the next one, with what was filled in.
    assert chat.state.flow == "report" and chat.state.step == "danger"
    lines = chat.text().split("\n")
    assert lines[1:3] == [
        "• Type: {category}".format(category="Illegal recruitment / fees"),
        "• Recruiter: PT Mercusuar Kertas Abadi (CONTOH) (SIP3MI-T-0103) — REVOKED",
    ]
    assert lines[-1] == "Is anyone in danger right now?"
    assert len(chat.replies()) == 1


def test_the_report_carries_the_company_and_every_red_flag_answer() -> None:
    chat = checking("Mercusuar Kertas Abadi")
    answer_questions(chat, {"fees", "no_contract"})
    report_after_check(chat)

    ticket = only_ticket(chat)
    assert (ticket.category, ticket.owner) == ("illegal_recruitment", "kp2mi")
    assert ticket.details["recruiter_name"] == "PT Mercusuar Kertas Abadi (CONTOH)"
    assert ticket.details["recruiter_license"] == "SIP3MI-T-0103"
    assert ticket.details["recruiter_status"] == "revoked"
    assert ticket.details["red_flag_risk"] == "high"
    assert ticket.details["red_flags"].split("\n") == [
        "⚠ Fees beyond the official costs, or into a personal account: yes",
        "Leaving on a tourist or visit visa: no",
        "Online, call-centre or crypto job in a scam-compound area, very high pay: no",
        "Passport or ID kept by the agent: no",
        "⚠ Written work contract received: no",
        "Pre-departure orientation and medical check: yes",
    ]
    assert "recruiter" not in ticket.details
    # Illegal recruitment is normal priority; a high-risk verdict raises it.
    assert ticket.priority == "high"


def test_a_low_risk_report_keeps_its_normal_priority() -> None:
    chat = checking("PT Bintang Samudra Karya")
    answer_questions(chat, set())
    report_after_check(chat)

    ticket = only_ticket(chat)
    assert ticket.details["red_flag_risk"] == "low"
    assert ticket.priority == "normal"


def test_a_recruiter_not_in_the_list_is_reported_as_not_found() -> None:
    chat = checking("PT Maju Terus Sejahtera")
    report_after_check(chat)

    ticket = only_ticket(chat)
    assert ticket.details["recruiter_name"] == "PT Maju Terus Sejahtera"
    assert ticket.details["recruiter_status"] == "not_found"
    assert "recruiter_license" not in ticket.details
    assert "red_flags" not in ticket.details and "red_flag_risk" not in ticket.details


def test_report_this_recruiter_halfway_through_the_questions_keeps_the_answers_so_far() -> None:
    chat = checking("Kenari Pelangi Tujuh")
    chat.press("check")
    chat.press("yes")
    report_after_check(chat)

    ticket = only_ticket(chat)
    assert ticket.details["red_flags"] == "⚠ Fees beyond the official costs, or into a personal account: yes"
    assert "red_flag_risk" not in ticket.details  # no verdict without every answer


def test_report_this_recruiter_before_consent_keeps_the_recruiter() -> None:
    chat = Chat(registry=MemoryRegistry(COMPANIES))
    check_until_offer(chat, "Mercusuar Kertas Abadi")
    chat.press("report_recruiter")
    chat.press("lang.en")
    chat.press("agree")
    chat.press("prospective")

    assert chat.state.flow == "report" and chat.state.step == "danger"
    assert chat.state.data["recruiter_status"] == "revoked"


def test_a_conversation_saved_by_the_earlier_version_keeps_its_recruiter() -> None:
    assert report_prefill({"recruiter": "PT Lama (SIP3MI-1)"}) == {"recruiter": "PT Lama (SIP3MI-1)"}
    assert report_prefill({}) is None


# -- the facts on the staff card ---------------------------------------------------------------
def test_the_card_shows_the_recruiter_with_its_status_and_the_warning_answers() -> None:
    details = {
        "recruiter_name": "PT Mercusuar Kertas Abadi (CONTOH)",
        "recruiter_license": "SIP3MI-T-0103",
        "recruiter_status": "revoked",
        "red_flag_risk": "high",
        "red_flags": "⚠ Fees beyond the official costs, or into a personal account: yes\n"
        "Leaving on a tourist or visit visa: no",
    }
    assert rendered(card_lines(details)) == [
        "Recruiter: PT Mercusuar Kertas Abadi (CONTOH) (SIP3MI-T-0103) — REVOKED",
        "Red-flag check: HIGH RISK",
        "⚠ Fees beyond the official costs, or into a personal account: Yes",
    ]
    assert rendered(card_lines({"recruiter_name": "PT Maju", "recruiter_status": "not_found"})) == [
        "Recruiter: PT Maju — NOT IN THE LIST"
    ]
    assert card_lines({}) == []


def test_red_flag_lines_we_do_not_know_are_shown_as_they_are() -> None:
    assert red_flag_lines("⚠ Something new: maybe\n\nOld line") == ["⚠ Something new: maybe", "Old line"]
    assert len(QUESTIONS) == len(WARNING_ANSWERS)


def test_a_yes_pressed_where_no_question_is_asked_changes_nothing() -> None:
    chat = onboarded()
    chat.command("/cek")
    before = snapshot(chat)
    chat.press_raw(f"{chat.state.turn}.yes")
    assert "does not belong" in chat.text()
    assert snapshot(chat) == before


def test_words_typed_at_a_question_are_matched_and_a_name_is_not_searched() -> None:
    chat = checking("PT Bintang Samudra Karya")
    chat.press("check")
    chat.say("ya")
    assert chat.state.step == "q1"
    chat.say("PT Mercusuar Kertas Abadi")
    assert chat.state.step == "q1"  # asked again, nothing searched
    assert chat.state.data["recruiter"]["status"] == "active"
