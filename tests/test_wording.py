"""Wording rules that a transcript alone would not catch: the safety check-in stays discreet in
every language, durations and authors are shown in words, never as settings or internal ids."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.i18n import LANGUAGES, renderer
from bot.service import Helpline
from flows.checkin import prompt
from flows.incoming import TextIn
from flows.staff import author_label
from flows.text import M
from storage.uow import UnitOfWork
from tests.storage.conftest import engine  # noqa: F401 - the parametrized database fixture
from tests.support.service import (  # noqa: F401 - the service fixture
    OFFICER,
    PPA_CHAT,
    WORKER,
    Person,
    add_officer,
    file_report,
    helpline,
    onboard,
)

# What someone reading over the person's shoulder must not learn from a check-in.
REVEALING = re.compile(
    r"officer|petugas|police|polisi|polri|report|lapor|danger|bahaya|safe|aman|darurat|emergency|"
    r"kp2mi|ppa",
    re.IGNORECASE,
)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_check_in_and_its_buttons_say_nothing_of_what_it_is_about(lang: str) -> None:
    reply = prompt("PMI-7K3Q-9XWD")
    render = renderer(lang, "plain")
    shown = [render.text(line) for line in reply.lines]
    shown += [render.text(button.label) for row in reply.buttons for button in row]
    for text in shown:
        assert not REVEALING.search(text), text


@pytest.mark.parametrize(
    ("lang", "duration", "words"),
    [
        ("id", timedelta(hours=6), "6 jam"),
        ("en", timedelta(hours=6), "6 hours"),
        ("en", timedelta(hours=1), "1 hour"),
        ("id", timedelta(minutes=30), "30 menit"),
        ("en", timedelta(hours=36), "1 day and 12 hours"),
        ("id", timedelta(days=10), "10 hari"),
        ("en", timedelta(seconds=10), "10 seconds"),
    ],
)
def test_durations_are_shown_in_words_of_the_readers_language(
    lang: str, duration: timedelta, words: str
) -> None:
    assert renderer(lang, "plain").text(M("{interval}", interval=duration)) == words


@pytest.mark.parametrize(
    ("author", "lang", "label"),
    [
        ("reporter", "id", "Pelapor"),
        ("reporter", "en", "Reporter"),
        ("kp2mi", "id", "Petugas KP2MI"),
        ("ppa-ppo", "id", "Petugas Polri PPA-PPO"),
        ("ppa-ppo", "en", "Officer Polri PPA-PPO"),
    ],
)
def test_thread_authors_are_named_for_people(author: str, lang: str, label: str) -> None:
    assert renderer(lang, "plain").text(author_label(author)) == label


def test_staff_read_the_thread_with_named_authors_and_escaped_text(helpline: Helpline) -> None:  # noqa: F811
    worker = Person(helpline, WORKER)
    onboard(worker)
    ref = file_report(worker)
    add_officer(helpline)
    helpline.staff_reply(OFFICER, PPA_CHAT, "Are you safe? <b>", ref=ref)
    with UnitOfWork(helpline.db) as uow:
        uow.links.add(WORKER, 555, ref, "agency_answer")
        uow.commit()
    worker.send(TextIn("Yes & the <i>boss</i> is away."), reply_to=555)
    _, out = helpline.staff_view(OFFICER, PPA_CHAT, ref)
    (thread,) = [m for m in out if m.kind == "notice"]
    # After the facts (tests/test_ticket_facts.py), each message with its time in WIB and in
    # Malaysia, where the ticket is.
    assert [line.partition("] ")[2] for line in thread.text.splitlines()[-2:]] == [
        "Petugas Polri PPA-PPO: Are you safe? &lt;b&gt;",
        "Pelapor: Yes &amp; the &lt;i&gt;boss&lt;/i&gt; is away.",
    ]
