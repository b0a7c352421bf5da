"""Ticket references: the ``PMI-XXXX-XXXX`` format in Crockford base32, seeded determinism,
uniqueness, and how forgivingly ``normalise_reference`` reads what a person typed."""

from __future__ import annotations

import random
import secrets

import pytest

from flows.reference import ALPHABET, PATTERN, new_reference, normalise_reference


def seeded(seed: int = 7) -> random.Random:
    return random.Random(seed)


def test_the_alphabet_is_crockford_base32() -> None:
    assert len(ALPHABET) == len(set(ALPHABET)) == 32
    assert not set("ILOU") & set(ALPHABET)
    assert set(ALPHABET) == set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


def test_format() -> None:
    ref = new_reference(seeded().randbytes)
    assert PATTERN.match(ref)
    prefix, first, second = ref.split("-")
    assert (prefix, len(first), len(second)) == ("PMI", 4, 4)
    assert set(first + second) <= set(ALPHABET)


def test_production_generator_gives_the_same_format() -> None:
    assert all(PATTERN.match(new_reference(secrets.token_bytes)) for _ in range(100))


def test_only_crockford_characters_appear() -> None:
    rng = seeded(1)
    body = "".join(new_reference(rng.randbytes)[4:].replace("-", "") for _ in range(2_000))
    assert not set(body) - set(ALPHABET)
    assert not set("ILOU") & set(body)
    assert set(body) == set(ALPHABET)  # every character is used: the full 40 bits are spread


def test_deterministic_with_a_seeded_generator() -> None:
    rng_a, rng_b = seeded(42), seeded(42)
    sequence = [new_reference(rng_a.randbytes) for _ in range(50)]
    assert sequence == [new_reference(rng_b.randbytes) for _ in range(50)]
    assert len(set(sequence)) == 50
    assert new_reference(seeded(42).randbytes) == sequence[0]
    assert new_reference(seeded(43).randbytes) != sequence[0]


def test_ten_thousand_references_are_distinct() -> None:
    rng = seeded(2026)
    refs = [new_reference(rng.randbytes) for _ in range(10_000)]
    assert len(set(refs)) == 10_000
    assert all(PATTERN.match(r) for r in refs)


def test_the_value_is_the_bytes_in_base32() -> None:
    assert new_reference(lambda n: b"\x00" * n) == "PMI-0000-0000"
    assert new_reference(lambda n: b"\xff" * n) == "PMI-ZZZZ-ZZZZ"
    assert new_reference(lambda n: bytes([0, 0, 0, 0, 33])) == "PMI-0000-0011"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("PMI-7K3Q-9XWD", "PMI-7K3Q-9XWD"),
        ("pmi-7k3q-9xwd", "PMI-7K3Q-9XWD"),
        ("PMI7K3Q9XWD", "PMI-7K3Q-9XWD"),
        ("pmi 7k3q 9xwd", "PMI-7K3Q-9XWD"),
        ("PMI-7K3Q9XWD", "PMI-7K3Q-9XWD"),
        ("nomor saya PMI-7K3Q-9XWD, tolong dicek", "PMI-7K3Q-9XWD"),
        ("PMI-7K3Q-9XWD.", "PMI-7K3Q-9XWD"),
        # Crockford reads I and L as 1, O as 0; U is read as V
        ("PMI-7K3Q-9XWO", "PMI-7K3Q-9XW0"),
        ("PMI-IL00-OOOO", "PMI-1100-0000"),
        ("pmi-l0io-ab12", "PMI-1010-AB12"),
        ("PMI-UUUU-0000", "PMI-VVVV-0000"),
    ],
)
def test_normalise_forgives_case_dashes_and_look_alikes(typed: str, expected: str) -> None:
    assert normalise_reference(typed) == expected


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "hello",
        "PMI",
        "PMI-",
        "PMI-7K3Q",
        "PMI-7K3-9XWD",
        "PMI-7K3Q-9XW",
        "PMI-7K!Q-9XWD",
        "PMX-7K3Q-9XWD",
        "7K3Q-9XWD",
        "PMI--7K3Q-9XWD",
        "PMI-7K3Q--9XWD",
        "PMI_7K3Q_9XWD",
        "PMI-ÄK3Q-9XWD",
        "PMI-７K3Q-9XWD",
    ],
)
def test_normalise_rejects_junk(junk: str) -> None:
    assert normalise_reference(junk) is None


def test_a_normalised_reference_always_matches_the_pattern() -> None:
    rng = seeded(5)
    for _ in range(1_000):
        ref = new_reference(rng.randbytes)
        assert normalise_reference(ref.lower()) == ref
        # Without dashes only a code with a digit counts: "PMI Hongkong" is a sentence.
        spaced = normalise_reference(ref.replace("-", " "))
        assert spaced == (ref if any(c.isdigit() for c in ref[4:]) else None)


@pytest.mark.parametrize(
    "sentence", ["saya PMI Malaysia", "PMI Hongkong butuh bantuan", "teman saya pmi singapura"]
)
def test_an_ordinary_sentence_is_not_a_reference(sentence: str) -> None:
    assert normalise_reference(sentence) is None
