"""Issue 11 item 8: notices the person did not ask for (taken, resolved, closed, reminders,
auto-close) name neither the agency, nor the police, nor the report, unless they chose "I can read
messages safely" in /menu. The choice is stored on the user row; the default is discreet."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from bot.scheduler import run_due_work
from bot.service import Helpline
from flows.incoming import CommandIn
from storage.tables import load_json
from storage.uow import UnitOfWork
from tests.storage.conftest import engine  # noqa: F401 - the parametrized database fixture
from tests.support.service import OFFICER, PPA_CHAT, WORKER, Clock, Person, add_officer, file_report, onboard
from tests.support.steps import onboarded
from tests.test_care_scheduler import MINUTE, START, H, at, make_helpline, outbox


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def helpline(engine: Engine, clock: Clock) -> Helpline:  # noqa: F811
    return make_helpline(engine, clock)


# Words that would tell someone looking at the phone who is involved or what it is about.
REVEALING = ("KP2MI", "Polri", "PPA", "police", "polisi", "report", "laporan", "held", "passport", "paspor")


def choose(person: Person, setting: str) -> None:
    person.send(CommandIn("menu"))
    person.press("notices")
    person.press(f"notices.{setting}")


def reporter(helpline: Helpline, lang: str, reads_safely: bool) -> tuple[Person, str]:
    worker = Person(helpline, WORKER)
    onboard(worker, lang)
    if reads_safely:
        choose(worker, "safe")
    ref = file_report(worker)
    add_officer(helpline)
    return worker, ref


def notices(helpline: Helpline) -> list[str]:
    return [str(load_json(r.payload)["text"]) for r in outbox(helpline.db, WORKER) if r.kind == "notice"]


def all_unasked_notices(helpline: Helpline, clock: Clock, ref: str) -> list[str]:
    """Taken, the officer's answer (asked for: left out), two reminders, resolved, auto-closed."""
    helpline.staff_press(OFFICER, PPA_CHAT, f"s.take.{ref}")
    before = len(notices(helpline))
    answer_at = at(clock, START + H)
    helpline.staff_reply(OFFICER, PPA_CHAT, "Where are you now?", ref=ref)
    answered = len(notices(helpline))
    assert answered == before + 1
    assert run_due_work(helpline, answer_at + 24 * H + MINUTE) == 1
    assert run_due_work(helpline, answer_at + 72 * H + MINUTE) == 1
    resolved_at = at(clock, answer_at + 73 * H)  # 17:00 in Kuala Lumpur: no quiet hours
    helpline.staff_press(OFFICER, PPA_CHAT, f"s.resolve.{ref}")
    assert run_due_work(helpline, resolved_at + 7 * 24 * H + H) == 1
    sent = notices(helpline)
    return sent[:before] + sent[answered:]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_by_default_no_unasked_notice_names_the_agency_the_police_or_the_report(
    helpline: Helpline, clock: Clock, lang: str
) -> None:
    worker, ref = reporter(helpline, lang, reads_safely=False)
    unasked = all_unasked_notices(helpline, clock, ref)
    assert len(unasked) == 5  # taken, two reminders, resolved, closed
    for text in unasked:
        assert ref not in text
        for word in REVEALING:
            assert word.lower() not in text.lower(), (word, text)
    # Closed by an officer, without going through "resolved".
    second = file_report(worker)
    helpline.staff_press(OFFICER, PPA_CHAT, f"s.close.{second}")
    closed = notices(helpline)[-1]
    assert second not in closed and "KP2MI" not in closed and "Polri" not in closed


def test_someone_who_reads_safely_gets_the_detailed_notices(helpline: Helpline, clock: Clock) -> None:
    _, ref = reporter(helpline, "en", reads_safely=True)
    unasked = all_unasked_notices(helpline, clock, ref)
    assert len(unasked) == 5
    assert "Polri PPA-PPO" in unasked[0] and ref in unasked[0]
    assert all(ref in text for text in unasked)


def test_the_choice_is_stored_and_can_be_taken_back(helpline: Helpline) -> None:
    worker = Person(helpline, WORKER)
    onboard(worker, "en")
    with UnitOfWork(helpline.db) as uow:
        user = uow.users.get(WORKER)
        assert user is not None and user.reads_safely is False
    choose(worker, "safe")
    with UnitOfWork(helpline.db) as uow:
        user = uow.users.get(WORKER)
        assert user is not None and user.reads_safely is True
    choose(worker, "discreet")
    with UnitOfWork(helpline.db) as uow:
        user = uow.users.get(WORKER)
        assert user is not None and user.reads_safely is False


def test_the_answer_of_an_officer_is_not_hidden(helpline: Helpline) -> None:
    """The person asked for the answer: it keeps who answers, in either setting."""
    _, ref = reporter(helpline, "en", reads_safely=False)
    _, out = helpline.staff_reply(OFFICER, PPA_CHAT, "Where are you now?", ref=ref)
    assert out and "Polri PPA-PPO" in out[0].text


def test_choosing_in_the_middle_of_a_report_keeps_it_and_asks_again() -> None:
    chat = onboarded()
    chat.command("/lapor")
    chat.press("held")
    chat.press_raw("g.notices.safe")
    assert chat.state.reads_safely is True
    assert (chat.state.flow, chat.state.step) == ("report", "danger")
    assert chat.text().endswith("Is anyone in danger right now?")
    assert [type(e).__name__ for e in chat.events[-1:]] == ["NoticesChosen"]


def test_an_unknown_notice_choice_changes_nothing() -> None:
    chat = onboarded()
    chat.press_raw("g.notices.loud")
    assert chat.state.reads_safely is False
    assert "no longer active" in chat.text()
