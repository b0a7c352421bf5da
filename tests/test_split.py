"""Splitting long messages: never inside an entity or a tag, counted in UTF-16 code units as
Telegram counts, every piece parsed by the fake Bot API's copy of Telegram's HTML parser."""

from __future__ import annotations

import html

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.delivery.split import split_pieces, split_text, utf16_len, visible_text
from tests.fakebotapi.markup import parse_html

EMOJI = "\U0001f600"  # two UTF-16 code units


def _fits(piece: str, limit: int) -> bool:
    return utf16_len(parse_html(piece).text) <= limit


def test_an_escaped_ampersand_at_the_limit_stays_whole() -> None:
    text = "a" * 4095 + "&amp;" + "b" * 10
    pieces = split_text(text)
    assert pieces == ["a" * 4095 + "&amp;", "b" * 10]
    assert all(_fits(p, 4096) for p in pieces)


def test_the_limit_counts_utf16_code_units() -> None:
    text = EMOJI * 2048 + "x"  # 2,049 characters but 4,097 code units
    pieces = split_text(text)
    assert pieces == [EMOJI * 2048, "x"]


def test_a_tag_open_at_the_cut_is_closed_and_opened_again() -> None:
    text = '<b>bold words</b> and <a href="https://x.example/?a=1&amp;b=2">a link text here</a>'
    pieces = split_text(text, limit=20)
    assert all(_fits(p, 20) for p in pieces)
    assert "".join(parse_html(p).text for p in pieces) == parse_html(text).text
    assert any(p.startswith('<a href="https://x.example/?a=1&amp;b=2">') for p in pieces[1:])


def test_a_short_text_is_one_piece_and_spaces_only_pieces_are_dropped() -> None:
    assert split_text("halo") == ["halo"]
    assert split_text("a" * 10 + "\n" * 30 + "b", limit=10) == ["a" * 10, "b"]


# Text as the renderer makes it: escaped words, spaces, line breaks, emoji, nested simple tags.
_word = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12).map(
    html.escape
)
_chunk = st.one_of(
    _word,
    st.sampled_from([" ", "\n", EMOJI, "&amp;", "&#128512;"]),
    _word.map(lambda w: f"<b>{w}</b>"),
    _word.map(lambda w: f"<i>x <code>{w}</code> y</i>"),
    _word.map(lambda w: f'<a href="https://e.example/?q=1&amp;r=2">{w}</a>'),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_chunk, max_size=80).map("".join), st.integers(min_value=2, max_value=60))
def test_any_text_any_limit_every_piece_parses_fits_and_they_join_to_the_original(
    text: str, limit: int
) -> None:
    pieces = split_pieces(text, limit)
    for piece in pieces:
        assert _fits(piece, limit)  # parse_html raises if a piece is cut inside markup
    assert "".join(parse_html(p).text for p in pieces) == parse_html(text).text
    assert "".join(visible_text(p) for p in pieces) == parse_html(text).text
    sent = split_text(text, limit)
    assert all(visible_text(p).strip() for p in sent) or sent == [text]
