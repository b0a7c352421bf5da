"""Danger words (whole words, Indonesian and English, "tolong" alone never) and the emergency card,
which shows only numbers that ``data/contacts.json`` holds."""

from __future__ import annotations

import gettext
import json
import re
from pathlib import Path
from typing import Any

import pytest

from flows.contacts import Contacts
from flows.emergency import TRIGGERS, card_lines, danger_words
from flows.render import Renderer

CONTACTS_FILE = Path(__file__).resolve().parents[1] / "data" / "contacts.json"
INDONESIAN = [
    t
    for t in TRIGGERS
    if t
    in {
        "darurat",
        "sos",
        "disekap",
        "dikurung",
        "dikunci",
        "dipukul",
        "dipukuli",
        "disiksa",
        "dianiaya",
        "diperkosa",
        "diculik",
        "bunuh diri",
    }
]
ENGLISH = [t for t in TRIGGERS if t not in INDONESIAN]


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(CONTACTS_FILE.read_text("utf-8"))
    return loaded


@pytest.fixture(scope="module")
def contacts(raw: dict[str, Any]) -> Contacts:
    return Contacts.from_dict(raw)


def render(lines: list[Any]) -> str:
    return Renderer("en", gettext.NullTranslations(), "plain").lines(lines)


# -- danger words ----------------------------------------------------------------------------------
def test_the_spec_examples_are_triggers() -> None:
    for word in (
        "darurat",
        "sos",
        "disekap",
        "dikurung",
        "dipukul",
        "diperkosa",
        "bunuh diri",
        "help me",
        "trapped",
        "locked",
    ):
        assert word in TRIGGERS


@pytest.mark.parametrize("word", INDONESIAN)
def test_each_indonesian_trigger(word: str) -> None:
    assert danger_words(f"tolong, saya {word} sekarang") == (word,)
    assert danger_words(word.upper() + "!!!") == (word,)


@pytest.mark.parametrize("word", ENGLISH)
def test_each_english_trigger(word: str) -> None:
    assert danger_words(f"Please, {word}. I am in the house.") == (word,)
    assert danger_words(word.title()) == (word,)


@pytest.mark.parametrize(
    "text",
    [
        "sosis goreng",  # "sos" inside a word
        "SOSIAL media",
        "kedaruratan",
        "dipukulkan",
        "unlocked the door",
        "helper",
        "help meeting tomorrow",
        "bunuh",
        "diri saya",
        "emergencyroom",
        "s o s",
    ],
)
def test_only_whole_words_count(text: str) -> None:
    assert danger_words(text) == ()


@pytest.mark.parametrize(
    "text",
    ["tolong", "Tolong!", "tolong bantu saya", "tolong bantu saya, gaji belum dibayar", "TOLONG TOLONG"],
)
def test_tolong_alone_does_not_trigger(text: str) -> None:
    assert danger_words(text) == ()


def test_tolong_with_a_danger_word_triggers() -> None:
    assert danger_words("tolong saya dikurung, tidak boleh keluar") == ("dikurung",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SOS!", ("sos",)),
        ("#sos", ("sos",)),
        ("saya dipukuli majikan", ("dipukuli",)),
        ("mau bunuh   diri", ("bunuh diri",)),
        ("bunuh-diri", ("bunuh diri",)),
        ("HELP ME", ("help me",)),
        ("help. me", ("help me",)),
        ("DARÜRAT", ("darurat",)),
        ("ｓｏｓ", ("sos",)),
    ],
)
def test_case_punctuation_and_accents_are_ignored(text: str, expected: tuple[str, ...]) -> None:
    assert danger_words(text) == expected


def test_several_words_come_in_a_stable_order() -> None:
    assert danger_words("I am locked in, help me, I was beaten") == ("help me", "locked", "beaten")
    assert danger_words("beaten locked help me") == ("help me", "locked", "beaten")


def test_danger_words_are_found_anywhere_in_a_long_text() -> None:
    assert danger_words("x " * 2_000 + "sos") == ("sos",)
    assert danger_words("sos " + "x " * 5_000) == ("sos",)


# -- the card --------------------------------------------------------------------------------------
NATIONAL_LINES = [
    "KP2MI (from abroad): +62 21 2924 4800",
    "KP2MI WhatsApp: 0811-8080-141",
    "KP2MI toll-free (from Indonesia): 0-800-1000",
    "Polri (in Indonesia): 110",
]


def numbers_in(raw: dict[str, Any]) -> set[str]:
    found = {n["number"] for n in raw["national"]}
    for entry in raw["countries"].values():
        found |= {n["number"] for n in entry.get("emergency", ())}
        found |= {m["phone"] for m in entry.get("missions", ())}
    return found


def test_the_card_without_a_country_has_kp2mi_and_polri_and_asks_the_country(
    contacts: Contacts,
) -> None:
    text = render(card_lines(contacts, None))
    assert text.startswith("If you are in danger now:")
    for line in NATIONAL_LINES:
        assert f"• {line}" in text
    assert "Tell us the country you are in" in text


@pytest.mark.parametrize("code", ["MY", "SG", "HK", "TW", "SA", "KR", "JP"])
def test_the_card_lists_the_countrys_numbers_first(
    contacts: Contacts, raw: dict[str, Any], code: str
) -> None:
    text = render(card_lines(contacts, code))
    local = [n["number"] for n in raw["countries"][code]["emergency"]]
    assert local
    positions = [text.index(f": {number}") for number in local]
    assert max(positions) < text.index("KP2MI")
    for line in NATIONAL_LINES:
        assert f"• {line}" in text
    assert "Tell us the country" not in text


def test_the_card_for_malaysia_matches_the_example(contacts: Contacts) -> None:
    assert render(card_lines(contacts, "MY")).split("\n") == [
        "If you are in danger now:",
        "• Emergency Malaysia: 999",
        *[f"• {line}" for line in NATIONAL_LINES],
    ]


@pytest.mark.parametrize("code", [None, "MY", "SG", "HK", "TW", "SA", "KR", "JP", "ID", "other", "XX"])
def test_the_card_never_shows_a_number_absent_from_the_data_file(
    contacts: Contacts, raw: dict[str, Any], code: str | None
) -> None:
    text = render(card_lines(contacts, code))
    rest = text
    for number in sorted(numbers_in(raw), key=len, reverse=True):
        rest = rest.replace(number, "")
    rest = rest.replace("KP2MI", "")
    assert not re.search(r"\d", rest), rest


def test_the_card_shows_only_what_the_given_data_holds() -> None:
    """Nothing is hard-coded: with a file that lists only Polri, only Polri is shown."""
    contacts = Contacts.from_dict(
        {
            "national": [{"service": "polri", "number": "110", "source": "test"}],
            "countries": {"MY": {"emergency": [{"service": "police", "number": "12345", "source": "test"}]}},
        }
    )
    assert render(card_lines(contacts, "MY")).split("\n") == [
        "If you are in danger now:",
        "• Police Malaysia: 12345",
        "• Polri (in Indonesia): 110",
    ]


def test_the_card_shows_a_configured_mission() -> None:
    contacts = Contacts.from_dict(
        {
            "national": [{"service": "polri", "number": "110", "source": "test"}],
            "countries": {
                "HK": {
                    "emergency": [{"service": "emergency", "number": "999", "source": "test"}],
                    "missions": [{"name": "KJRI Hong Kong", "phone": "+852 0000 0000", "source": "test"}],
                }
            },
        }
    )
    text = render(card_lines(contacts, "HK"))
    assert text.endswith("• KJRI Hong Kong: +852 0000 0000")


def test_every_number_in_the_data_file_has_a_source(raw: dict[str, Any]) -> None:
    entries = list(raw["national"])
    for entry in raw["countries"].values():
        entries += entry.get("emergency", []) + entry.get("missions", [])
    assert entries
    assert all(e.get("source") for e in entries)
