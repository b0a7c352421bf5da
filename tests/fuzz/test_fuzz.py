"""The fuzzer keeps working: a few hundred inputs through the service on SQLite (and PostgreSQL
when configured), nothing found. ``make fuzz`` runs it at full size; README "Fuzzing" has figures."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from bot.outgoing import Outgoing
from tests.fuzz.service_fuzz import InvariantBroken, fuzz
from tests.fuzz.service_fuzz import check_limits as limits
from tests.storage.conftest import engine  # noqa: F401 - the parametrized database fixture


def test_a_few_hundred_inputs_find_nothing(engine: Engine) -> None:  # noqa: F811
    tally = fuzz(engine, engine.dialect.name, inputs=300, seed=1)
    assert tally.inputs >= 300 and tally.examples > 10
    assert tally.tickets > 0, "no example got as far as a ticket"
    assert [f"{f.name}: {f.message}\n{f.example}" for f in tally.findings] == []


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        (Outgoing(1, "<b>open"), "unparsable HTML"),
        (Outgoing(1, "x", buttons=((("ok", "x" * 65),),)), "callback_data size"),
        (Outgoing(1, "x", buttons=tuple((("ok", f"{i}"),) for i in range(101))), "too many buttons"),
        (Outgoing(1, "x", buttons=((("  ", "d"),),)), "empty button label"),
        (Outgoing(1, "<b> </b>"), "empty text"),
    ],
)
def test_the_limits_check_catches_what_telegram_refuses(message: Outgoing, kind: str) -> None:
    with pytest.raises(InvariantBroken) as raised:
        limits(message)
    assert raised.value.kind == kind


def test_the_limits_check_catches_a_piece_too_long(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every text is split within the limit now, card edits too (Outgoing.pieces): only a
    splitter that failed could leave a piece too long, as this one that splits nothing."""
    monkeypatch.setattr("bot.outgoing.split_text", lambda text: [text])
    with pytest.raises(InvariantBroken) as raised:
        limits(Outgoing(1, "😀" * 2049, edit_card=True))
    assert raised.value.kind == "text too long"
