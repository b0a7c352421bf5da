"""No personal data in logs: a whole report and the agency's answer, every logger at DEBUG."""

from __future__ import annotations

import logging

import pytest

from bot.service import Helpline
from flows.incoming import CommandIn, TextIn
from storage.uow import UnitOfWork
from tests.support.service import PPA_CHAT, WORKER, Person, onboard

NAME, PHONE, CITY = "Siti Rahayu", "+60 11 2233 4455", "Kota Kinabalu"
STORY = "Majikan memukul saya dan menahan paspor"
ANSWER = "Kami menghubungi KBRI Kuala Lumpur hari ini"
MORE = "Saya sekarang di asrama belakang pabrik"


def test_logs_carry_no_personal_data(helpline: Helpline, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger: every logger, SQLAlchemy's included
    worker = Person(helpline, WORKER)
    onboard(worker)
    worker.send(CommandIn("lapor"))
    worker.press("tppo")
    worker.press("no")
    worker.press("other")
    _answer_until_sent(worker)
    ref = next(m.ticket_ref for m in worker.last if m.ticket_ref)
    assert ref is not None
    with UnitOfWork(helpline.db) as uow:
        ticket = uow.tickets.get(ref)
        # The secrets did reach the ticket (the walker puts them in whatever field is asked).
        assert ticket is not None and NAME in repr(ticket) and PHONE in repr(ticket)
        assert sum(secret in repr(ticket) for secret in (CITY, STORY)) >= 1
        uow.staff.add(7001, "ppa-ppo", "Bripka Andi", helpline.clock())
        uow.commit()
    helpline.staff_press(7001, PPA_CHAT, f"s.take.{ref}")
    helpline.staff_reply(7001, PPA_CHAT, ANSWER, ref=ref)
    helpline.staff_view(7001, PPA_CHAT, ref)
    worker.send(TextIn(MORE), reply_to=None)
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text}" for r in caplog.records)
    assert ref in logged  # the logs are there, with references
    for secret in (NAME, PHONE, CITY, STORY, ANSWER, MORE, "Bripka Andi"):
        assert secret not in logged


def _answer_until_sent(worker: Person) -> None:
    """Walk the report flow whatever it asks: text questions get the secrets, buttons the
    first sensible choice, until the confirmation is sent."""
    texts = iter([NAME, CITY, STORY, PHONE, "?", "?", "?", "?", "?"])
    preferred = ("send", "phone", "skip", "no", "MY", "adult", "chat")
    for _ in range(30):
        choices = [
            data.split(".", 1)[1]
            for m in worker.last
            for row in m.buttons
            for _, data in row
            if not data.startswith("g.")
        ]
        if "send" in choices:
            worker.press("send")
            return
        pick = next((c for c in preferred if c in choices), None)
        if pick == "phone":
            worker.press("phone")
            worker.send(TextIn(PHONE))
        elif pick is not None:
            worker.press(pick)
        else:
            worker.send(TextIn(next(texts)))
    raise AssertionError("the report was never sent")
