"""Typed answers and countries (bot/understanding.py): what people type instead of tapping is
matched to the options on screen by meaning, label, number or a near spelling, in Indonesian and
English; anything unsure is a miss, never a guess."""

from __future__ import annotations

import pytest

from flows.check import CHECK_OFFER, NO_THANKS
from flows.onboarding import AGREE, DECLINE, ROLES
from flows.report import REPORT
from flows.steps import Choose, Option
from flows.vocab import COUNTRIES, NO, REPORT_CATEGORIES, UNSURE, YES
from tests.support.memory import understanding

YES_NO_UNSURE = (YES, NO, UNSURE)
DANGER = REPORT.steps["danger"]
VICTIM = REPORT.steps["victim"]
CONTACT = next(s for s in REPORT.steps.values() if s.id == "contact")
assert isinstance(DANGER, Choose) and isinstance(VICTIM, Choose) and isinstance(CONTACT, Choose)


def choice(text: str, options: tuple[Option, ...] | list[Option]) -> str | None:
    return understanding().choice(text, options)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ya", "yes"),
        ("Iya", "yes"),
        ("yes", "yes"),
        ("betul", "yes"),
        ("sudah", "yes"),
        ("tidak", "no"),
        ("nggak", "no"),
        ("gak", "no"),
        ("No", "no"),
        ("belum", "no"),
        ("tidak tahu", "unsure"),
        ("gak tau", "unsure"),
        ("saya tidak yakin", "unsure"),
        ("mungkin", "unsure"),
        ("not sure", "unsure"),
        ("I don't know", "unsure"),
        ("Tidak yakin", "unsure"),  # the Indonesian label of the button itself
        ("3", "unsure"),  # the third button
    ],
)
def test_yes_no_and_not_sure_words(text: str, expected: str) -> None:
    assert choice(text, YES_NO_UNSURE) == expected


def test_not_sure_never_becomes_no_where_there_is_no_not_sure_button() -> None:
    assert choice("tidak tahu", DANGER.options) is None
    assert choice("ya, sekarang", DANGER.options) == "yes"
    assert choice("iya", DANGER.options) == "yes"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kekerasan", "violence"),
        ("kekrasan", "violence"),
        ("violence", "violence"),
        ("paspor saya ditahan", "held"),
        ("Penipuan kerja online", "scam_compound"),
        ("online job scam", "scam_compound"),
        ("keluarga hilang", "missing"),
        ("dokumen palsu", "fake_documents"),
        ("Lainnya", "other"),
    ],
)
def test_category_labels_in_both_languages(text: str, expected: str) -> None:
    assert choice(text, REPORT_CATEGORIES) == expected


@pytest.mark.parametrize(
    ("text", "options", "expected"),
    [
        ("saya sendiri", VICTIM.options, "self"),
        ("saya", VICTIM.options, "self"),
        ("orang lain", VICTIM.options, "other"),
        ("someone else", VICTIM.options, "other"),
        ("lewat chat ini saja", CONTACT.options, "chat"),
        ("chat aja", CONTACT.options, "chat"),
        ("whatsapp", CONTACT.options, "phone"),
        ("setuju", (AGREE, DECLINE), "agree"),
        ("saya tidak setuju", (AGREE, DECLINE), "decline"),
        ("saya bekerja di luar negeri", ROLES, "worker"),
        ("keluarga", ROLES, "family"),
        ("ya periksa", (CHECK_OFFER, NO_THANKS), "check"),
        ("tidak, terima kasih", (CHECK_OFFER, NO_THANKS), "no"),
    ],
)
def test_labels_and_meanings_of_other_questions(
    text: str, options: tuple[Option, ...], expected: str
) -> None:
    assert choice(text, options) == expected


@pytest.mark.parametrize(
    ("text", "options"),
    [
        ("halo", REPORT_CATEGORIES),
        ("tolong saya, majikan saya jahat sekali dan saya tidak digaji tiga bulan", REPORT_CATEGORIES),
        ("kemarin", YES_NO_UNSURE),
        ("9", YES_NO_UNSURE),
        ("", YES_NO_UNSURE),
    ],
)
def test_a_real_miss_is_none(text: str, options: tuple[Option, ...]) -> None:
    assert choice(text, options) is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Malaysia", "MY"),
        ("Malaisya", "MY"),
        ("malaysa", "MY"),
        ("saya di malaysia", "MY"),
        ("Hongkong", "HK"),
        ("hong kong", "HK"),
        ("Arab", "SA"),
        ("arab saudi", "SA"),
        ("Saudi Arabia", "SA"),
        ("Kamboja", "KH"),
        ("Cambodia", "KH"),
        ("kambodia", "KH"),
        ("sihanoukville", "KH"),
        ("Myanmar", "MM"),
        ("burma", "MM"),
        ("Laos", "LA"),
        ("Filipina", "PH"),
        ("philipines", "PH"),
        ("Thailan", "TH"),
        ("taiwan", "TW"),
        ("Korea", "KR"),
        ("Jepang", "JP"),
        ("singapur", "SG"),
        ("dubai", "AE"),
        ("Uni Emirat Arab", "AE"),
        ("Peru", "PE"),  # any country, by its CLDR name
        ("dari Indonesia ke Kamboja", "KH"),
        ("MY", "MY"),
    ],
)
def test_countries_as_people_write_them(text: str, code: str) -> None:
    assert understanding().country(text) == code


@pytest.mark.parametrize("text", ["halo", "saya bekerja", "Bali", "di kota", "negara lain", "", "my"])
def test_words_that_name_no_country(text: str) -> None:
    assert understanding().country(text) is None


def test_every_offered_country_is_understood_by_its_name_in_both_languages() -> None:
    from bot.i18n import renderer

    for option in COUNTRIES:
        if option.id == "other":
            continue
        for lang in ("id", "en"):
            name = renderer(lang, "plain").text(option.label)
            assert understanding().country(name) == option.id, (lang, name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tolong saya disekap di kamboja", "KH"),
        ("help me I am trapped in Cambodia", "KH"),
        ("disekap dikamboja", "KH"),  # the place word written onto the name
        ("saya dibawa ke myanmar dari thailand", "MM"),  # "dari" says where from, not where
        ("saya dikurung di kuala lumpur", "MY"),  # a city of the data file's aliases
        ("trapped in hong kong", "HK"),
        ("di arab saudi saya disiksa", "SA"),
        # Who, not where: an adjective of nationality names no place.
        ("bos cina pukul saya", None),
        ("majikan arab saya dipukul", None),
        # Home is where they want to go, not where they are.
        ("saya disekap, mau pulang ke indonesia", None),
        ("saya disekap di indonesia", "ID"),
        # Two places: neither is sure.
        ("di malaysia lalu ke thailand", None),
        ("saya di rumah majikan", None),
        ("help me I am at the office", None),
        ("sudah dicuba", None),  # Malay "tried": glued only for the countries the bot serves
        ("saya disekap di kambojja", None),  # exact names only: a near spelling is a guess here
    ],
)
def test_the_place_named_in_danger_words(text: str, expected: str | None) -> None:
    assert understanding().place_named(text) == expected
