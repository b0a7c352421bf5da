"""Issue 11 item 3: the officer sees every fact the bot collected. One renderer
(``flows.ticket_facts``) for the staff card (short), ``/lihat`` and ``helpline tickets show``
(whole), with every thread message's time in WIB and the local time of the ticket's country."""

from __future__ import annotations

import gettext
from dataclasses import replace
from datetime import UTC, datetime

from bot.agencies import load_agencies
from bot.i18n import renderer
from bot.notices import whole_ticket_lines
from bot.service import Helpline
from flows.incoming import TextIn
from flows.render import Renderer
from flows.staff import card_lines
from flows.text import Text
from flows.ticket_facts import CardFacts, ThreadEntry, fact_lines, thread_lines
from storage.uow import UnitOfWork
from tests.storage.conftest import engine  # noqa: F401 - the parametrized database fixture
from tests.support.service import OFFICER, PPA_CHAT, WORKER, Person, add_officer, helpline, onboard  # noqa: F401 - the service fixture

AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
LONG = "Dia berhenti membalas. " * 30  # 690 characters: the card shortens it, /lihat does not
RED_FLAGS = "\n".join(
    (
        "⚠ Fees beyond the official costs, or into a personal account: yes",
        "Leaving on a tourist or visit visa: no",
    )
)
MISSING = CardFacts(
    ref="PMI-AAAA-0001",
    priority="high",
    category="missing",
    status="open",
    owner="kp2mi",
    copied=("ppa-ppo",),
    country="other",
    city="Myawaddy",
    victim="other",
    victim_minor=False,
    contact_method="phone",
    description=LONG,
    created_at=AT,
    due_at=None,
    details={
        "victim_relation": "sister",
        "victim_minor": "unsure",
        "last_contact": "early March",
        "employer": "PT Contoh Jaya, Kuala Lumpur",
        "passport_number": "C1234567",
        "trafficking_signs": "unsure",
        "country_other": "Myanmar border",
        "recruiter_name": "PT Mercusuar Kertas Abadi (CONTOH)",
        "recruiter_license": "SIP3MI-T-0103",
        "recruiter_status": "revoked",
        "red_flags": RED_FLAGS,
        "red_flag_risk": "high",
        "emergency_words": "disekap",
        "notes": "HP-nya diambil\nDia takut",
    },
    victim_name="Siti Aminah",
    danger_now=True,
    contact_phone="+62 812 0000 1111",
    location="16.69,98.51",
)


def plain(lines: list[Text], lang: str = "en") -> str:
    return Renderer(lang, gettext.NullTranslations(), "plain").lines(lines)


def test_the_whole_view_shows_every_fact() -> None:
    text = plain(fact_lines(MISSING, whole=True))
    for expected in (
        "Myanmar border, Myawaddy · reporter: someone else · contact: phone +62 812 0000 1111",
        "📍 Shared location: 16.69,98.51",
        "🚨 In danger right now",
        "Victim: Siti Aminah (sister)",
        "⚠️ Under 18: not sure",
        "Last contact: early March",
        "Employer / agency: PT Contoh Jaya, Kuala Lumpur",
        "Passport number: C1234567",
        "⚠️ Signs of trafficking: not sure",
        "Recruiter: PT Mercusuar Kertas Abadi (CONTOH) (SIP3MI-T-0103) — REVOKED",
        "Red-flag check: HIGH RISK",
        "⚠ Fees beyond the official costs, or into a personal account: Yes",
        "Leaving on a tourist or visit visa: No",
        "Danger words: disekap",
        f'"{LONG}"',
        "Also written: HP-nya diambil / Dia takut",
    ):
        assert expected in text.split("\n"), expected


def test_the_card_is_short_but_keeps_every_fact() -> None:
    text = plain(card_lines(MISSING))
    assert "contact: phone +62 812 0000 1111" in text
    assert "Victim: Siti Aminah (sister)" in text and "Passport number: C1234567" in text
    assert "🚨 In danger right now" in text and "⚠️ Under 18: not sure" in text
    assert LONG not in text and LONG[:200] in text  # the story shortened
    assert "Leaving on a tourist or visit visa" not in text  # only the warning answers
    assert "⚠ Fees beyond the official costs, or into a personal account: Yes" in text


def test_a_country_in_the_list_is_named_and_a_minor_said_plainly() -> None:
    card = CardFacts(
        "PMI-AAAA-0002",
        "urgent",
        "violence",
        "open",
        "ppa-ppo",
        ("kp2mi",),
        "MM",
        "Yangon",
        "self",
        True,
        "chat",
        "",
        AT,
        None,
    )
    text = plain(card_lines(card))
    assert "Myanmar, Yangon · reporter: the victim · contact: bot chat" in text
    assert "⚠️ Victim under 18" in text


def test_the_reporters_role_is_named_after_who_they_are() -> None:
    family = replace(MISSING, reporter_role="family")
    assert "reporter: someone else (family member of a worker)" in plain(card_lines(family))
    text = renderer("id", "plain").lines(fact_lines(family, whole=True))
    assert "pelapor: orang lain (keluarga pekerja)" in text
    # A ticket from before roles were asked (or an unknown one) says only who reported.
    assert "reporter: someone else ·" in plain(card_lines(replace(MISSING, reporter_role=None)))


def test_thread_times_are_in_wib_and_in_the_local_time_of_the_country() -> None:
    load_agencies()  # the names of the shipped agencies, whichever test ran before
    entries = [ThreadEntry("reporter", "tolong", AT), ThreadEntry("ppa-ppo", "Kami datang", AT)]
    assert plain(thread_lines(entries, "MM")).split("\n") == [
        "[23 Nov 2026 15:00 WIB · 23 Nov 2026 14:30 local time] Reporter: tolong",
        "[23 Nov 2026 15:00 WIB · 23 Nov 2026 14:30 local time] Officer Polri PPA-PPO: Kami datang",
    ]
    # In Indonesia (or unknown) the one time is WIB.
    assert plain(thread_lines(entries[:1], None)) == "[23 Nov 2026 15:00 WIB] Reporter: tolong"


def file_phone_report(person: Person) -> str:
    person.send(TextIn("/lapor"))
    person.press("held")
    person.press("no")
    person.press("other")
    person.send(TextIn("Rina"))
    person.send(TextIn("adik"))
    person.press("unsure")
    person.press("MY")
    person.send(TextIn("Johor Bahru"))
    person.send(TextIn("Paspor adik saya ditahan majikan."))
    person.press("skip")
    person.press("phone")
    person.send(TextIn("+60 12 345 6789"))
    out = person.press("send")
    ref = out[0].ticket_ref
    assert ref is not None
    return ref


def test_the_card_lihat_and_the_command_line_show_the_facts(helpline: Helpline) -> None:  # noqa: F811
    worker = Person(helpline, WORKER)
    onboard(worker)
    ref = file_phone_report(worker)
    card = next(m for m in worker.last if m.kind == "card" and m.chat_id == PPA_CHAT)
    for fact in (
        "kontak: telepon +60 12 345 6789",
        "Korban: Rina (adik)",
        "⚠️ Di bawah 18 tahun: tidak yakin",
    ):
        assert fact in card.text, fact
    add_officer(helpline)
    helpline.staff_reply(OFFICER, PPA_CHAT, "Di mana adik Anda sekarang?", ref=ref)
    _, out = helpline.staff_view(OFFICER, PPA_CHAT, ref)
    (whole,) = [m for m in out if m.kind == "notice"]
    lines = whole.text.splitlines()
    assert lines[0] == f"{ref}:"
    # The role the reporter chose at the start is shown with who they are (issue 11 item 3).
    assert (
        "Malaysia, Johor Bahru · pelapor: orang lain (pekerja di luar negeri) · "
        "kontak: telepon +60 12 345 6789"
    ) in lines
    assert '"Paspor adik saya ditahan majikan."' in lines
    # Kuala Lumpur is an hour ahead of Jakarta.
    (answer,) = [
        line for line in lines if line.endswith("Petugas Polri PPA-PPO: Di mana adik Anda sekarang?")
    ]
    assert "WIB · " in answer and "waktu setempat]" in answer
    with UnitOfWork(helpline.db) as uow:
        ticket = uow.tickets.get(ref)
        assert ticket is not None
        shown = renderer("en", "plain").lines(whole_ticket_lines(uow, ticket))
    assert "contact: phone +60 12 345 6789" in shown and "Victim: Rina (adik)" in shown
