"""The conversations recorded as golden transcripts, one function per flow.

Each script gets a fresh ``Chat`` and a language ("id" or "en"), chooses that language by pressing
the onboarding language button, and plays what a person in that language would type. The
transcript it leaves (``chat.transcript``) is compared with ``tests/golden/<flow>.<lang>.txt``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from flows import ticket_rules as rules
from flows.events import NewTicket, TicketOpened
from flows.incoming import AttachmentIn
from flows.staff import card_buttons, card_lines
from flows.ticket_facts import CardFacts, ThreadEntry, fact_lines, thread_lines
from tests.support.chat import Chat
from tests.support.steps import onboard

PHRASES: dict[str, dict[str, str]] = {
    "id": {
        "city": "Johor Bahru",
        "story": "Paspor saya dipegang majikan sejak datang, gaji 3 bulan belum dibayar.",
        "officer_answer": "Kami sudah menghubungi KBRI Kuala Lumpur. Apakah Anda aman malam ini?",
        "more": "Saya aman. Majikan pergi ke luar kota sampai Jumat.",
        "relative": "Siti Aminah",
        "relation": "kakak",
        "last_contact": "awal Maret",
        "employer": "PT Contoh Jaya, Kuala Lumpur",
        "missing_story": "Dia berhenti membalas pesan setelah pindah ke majikan baru.",
        "wages_city": "Taoyuan",
        "wages_story": "Gaji saya dipotong setengah selama 4 bulan tanpa alasan.",
        "phone": "+886 912 345 678, setelah jam 9 malam",
        "recruiter_query": "PT. Bintang Samudra Karya",
        "recruiter_story": "Saya diminta bayar 25 juta ke rekening pribadi dan berangkat pakai visa turis.",
        "revoked_story": "Agennya minta 20 juta tunai, katanya izinnya sedang diurus.",
        "no": "tidak",
        "recruiter_city": "Malang",
        "unknown_recruiter": "PT Maju Terus Sejahtera",
        "question": "Apakah agen boleh meminta biaya 30 juta untuk kerja di Taiwan?",
        "danger_1": "tolong saya disekap, tidak boleh keluar",
        "danger_2": "saya dipukul tadi malam",
        "misunderstood_1": "halo",
        "misunderstood_2": "kapan saya bisa pulang?",
        "burst": ("tolong cepat, penjaga datang", "saya di kamar belakang", "lantai dua, pintu biru"),
        "typed_answer": "ya, saya aman",
        "aside": "majikan saya galak",
        "story_1": "Majikan memegang paspor saya sejak saya datang.",
        "story_2": "Gaji tiga bulan belum dibayar.",
        "story_3": "Saya tidak boleh keluar rumah.",
        "afterthought": "HP saya juga diambil.",
        "violence_story": "Saya dipukul majikan tadi malam, sekarang saya di kamar.",
        "danger_caption": "saya disekap di sini",
        "card_danger": "tolong saya disekap di kamboja",
        "card_more": "paspor saya ditahan, hp saya mau diambil",
        "card_more_2": "ada 20 orang di sini",
        "typed": ("kekerasan", "tidak", "saya sendiri", "saya di malaisya", "Kuala Lumpur"),
        "typed_story": "Majikan memukul saya kalau pekerjaan belum selesai.",
        "typed_rest": ("tidak ada", "lewat chat ini saja", "kirim"),
        "unsure_story": "Adik saya dibawa agen ke Kamboja, katanya kerja online.",
        "country_typed": "Kamboja",
        "country_typo": "Pilipina",
        "scam_city": "Sihanoukville",
        "minor_story": "Keponakan saya pergi dengan agen PT Mercusuar Kertas Abadi, izinnya sudah dicabut.",
        "fake_story": "Agen membuatkan paspor dengan nama dan umur palsu, katanya supaya cepat berangkat.",
    },
    "en": {
        "city": "Johor Bahru",
        "story": "My employer has kept my passport since I arrived; 3 months of wages unpaid.",
        "officer_answer": "We have contacted the embassy in Kuala Lumpur. Are you safe tonight?",
        "more": "I am safe. My employer is away until Friday.",
        "relative": "Siti Aminah",
        "relation": "sister",
        "last_contact": "early March",
        "employer": "PT Contoh Jaya, Kuala Lumpur",
        "missing_story": "She stopped answering after she moved to a new employer.",
        "wages_city": "Taoyuan",
        "wages_story": "Half of my wages were cut for 4 months without a reason.",
        "phone": "+886 912 345 678, after 9 pm",
        "recruiter_query": "PT. Bintang Samudra Karya",
        "recruiter_story": "They asked for 25 million rupiah into a personal account and told me "
        "to leave on a tourist visa.",
        "revoked_story": "The agent wants 20 million in cash and says the licence is being renewed.",
        "no": "no",
        "recruiter_city": "Malang",
        "unknown_recruiter": "PT Maju Terus Sejahtera",
        "question": "May an agency charge 30 million rupiah for a job in Taiwan?",
        "danger_1": "help me, I am locked in the house",
        "danger_2": "I was beaten last night",
        "misunderstood_1": "hello",
        "misunderstood_2": "when can I go home?",
        "burst": ("please hurry, the guard is coming", "I am in the back room", "second floor, blue door"),
        "typed_answer": "yes, I am safe",
        "aside": "my employer is very strict",
        "story_1": "My employer has kept my passport since I arrived.",
        "story_2": "Three months of wages are unpaid.",
        "story_3": "I am not allowed to leave the house.",
        "afterthought": "They took my phone too.",
        "violence_story": "My employer beaten me last night, I am in my room now.",
        "danger_caption": "I am locked in here",
        "card_danger": "help me I am trapped in Cambodia",
        "card_more": "they took my passport, they will take my phone",
        "card_more_2": "there are 20 of us here",
        "typed": ("violence", "no", "me", "I am in malaisya", "Kuala Lumpur"),
        "typed_story": "My employer hits me when the work is not finished.",
        "typed_rest": ("no", "only through this chat", "send report"),
        "unsure_story": "My sister was taken to Cambodia by an agent, for an online job.",
        "country_typed": "Cambodia",
        "country_typo": "Philipines",
        "scam_city": "Sihanoukville",
        "minor_story": "My niece left with an agent of PT Mercusuar Kertas Abadi, whose licence was revoked.",
        "fake_story": "The agent made me a passport with a false name and age, so that I could leave sooner.",
    },
}
OTHER_LANGUAGE = {"id": "en", "en": "id"}


def onboarding(chat: Chat, lang: str) -> None:
    chat.command("/start")
    chat.press(f"lang.{lang}")
    chat.press("decline")
    chat.command("/start")
    chat.press("agree")
    chat.press("family")
    chat.command("/menu")


def report(chat: Chat, lang: str) -> None:
    p = PHRASES[lang]
    onboard(chat, lang)
    chat.command("/lapor")
    chat.press("held")
    chat.press("no")
    chat.press("self")
    chat.press("MY")
    chat.say(p["city"])
    chat.say(p["story"])
    chat.press("skip")
    chat.press("chat")
    chat.press("send")


def report_fake_documents(chat: Chat, lang: str) -> None:
    """Issue 13: a fake-document report is copied to Imigrasi (KP2MI-Imigrasi MoU), and the card
    says when Imigrasi has no staff chat configured (it then gets no card of its own)."""
    p = PHRASES[lang]
    onboard(chat, lang)
    chat.command("/lapor")
    chat.press("fake_documents")
    chat.press("no")
    chat.press("self")
    chat.press("MY")
    chat.say(p["city"])
    chat.say(p["fake_story"])
    chat.press("skip")
    chat.press("chat")
    chat.press("send")
    ticket = next(e.ticket for e in chat.events if isinstance(e, TicketOpened))
    facts = replace(_facts_of(ticket), no_chat=("imigrasi",))
    chat.transcript.append("staff card (no staff chat configured for Imigrasi):")
    chat.transcript += ["      " + line for line in chat.renderer().lines(card_lines(facts)).split("\n")]


def report_missing(chat: Chat, lang: str) -> None:
    p = PHRASES[lang]
    onboard(chat, lang, "family")
    chat.command("/lapor")
    chat.press("missing")
    chat.say(p["relative"])
    chat.say(p["relation"])
    chat.press("no")
    chat.say(p["last_contact"])
    chat.press("MY")
    chat.say(p["employer"])
    chat.press("skip")
    chat.press("yes")
    chat.say(p["missing_story"])
    chat.file("photo", "photo-of-siti")
    chat.press("done")
    chat.press("chat")
    chat.press("send")


def assist(chat: Chat, lang: str) -> None:
    p = PHRASES[lang]
    onboard(chat, lang)
    chat.command("/bantuan")
    chat.press("assist.wages")
    chat.press("TW")
    chat.say(p["wages_city"])
    chat.say(p["wages_story"])
    chat.press("later")
    chat.file("photo", "payslip-1")
    chat.file("document", "contract-1")
    chat.press("done")
    chat.press("phone")
    chat.say(p["phone"])
    chat.press("send")


def check(chat: Chat, lang: str) -> None:
    p = PHRASES[lang]
    onboard(chat, lang, "prospective")
    chat.command("/cek")
    chat.say(p["recruiter_query"])
    chat.press("check")
    # Fees and a tourist visa: yes; scam job, passport kept: no; contract and orientation: yes.
    for answer in ("yes", "yes", "no", "no", "yes", "yes"):
        chat.press(answer)
    chat.press("report_recruiter")  # the category is known: the report asks about danger first
    chat.press("no")
    chat.press("self")
    chat.press("ID")
    chat.say(p["recruiter_city"])
    chat.say(p["recruiter_story"])
    chat.press("skip")
    chat.press("chat")
    chat.press("send")


def check_not_found(chat: Chat, lang: str) -> None:
    p = PHRASES[lang]
    onboard(chat, lang, "prospective")
    chat.command("/cek")
    chat.say(p["unknown_recruiter"])
    chat.press("no")


def check_suspended(chat: Chat, lang: str) -> None:
    """By licence number, typed with spaces."""
    onboard(chat, lang, "prospective")
    chat.command("/cek")
    chat.say("sip3mi - t - 0102")
    chat.press("no")


def check_expired(chat: Chat, lang: str) -> None:
    onboard(chat, lang, "prospective")
    chat.command("/cek")
    chat.say("Layang-Layang Biru Sejahtera")
    chat.press("no")


def check_revoked(chat: Chat, lang: str) -> None:
    """A revoked licence, the questions, then a report that starts with the company filled in."""
    p = PHRASES[lang]
    onboard(chat, lang, "prospective")
    chat.command("/cek")
    chat.say("pt mercusuar kertas abadi")
    chat.press("check")
    # Fees: yes; everything else as it should be.
    for answer in ("yes", "no", "no", "no", "yes", "yes"):
        chat.press(answer)
    chat.press("report_recruiter")
    chat.press("no")
    chat.press("self")
    chat.press("ID")
    chat.say("Mataram")
    chat.say(p["revoked_story"])
    chat.press("skip")
    chat.press("chat")
    chat.press("send")


def check_lookalike(chat: Chat, lang: str) -> None:
    """A name like a licensed one, then a one-letter typo of it, then its licence number."""
    p = PHRASES[lang]
    onboard(chat, lang, "prospective")
    chat.command("/cek")
    chat.say("PT Bintang Samudra Jaya")
    chat.say("PT Bintang Samudra Karja")
    chat.say("SIP3MI-T-0417")
    chat.say(p["no"])


def status(chat: Chat, lang: str) -> None:
    p = PHRASES[lang]
    report(chat, lang)
    ref = next(e.ticket.ref for e in chat.events if isinstance(e, TicketOpened))
    chat.tickets.answer(ref, "ppa-ppo", p["officer_answer"], chat.now)
    chat.command("/status")
    chat.press(f"ref:{ref}")
    chat.press("add")
    chat.say(p["more"])
    chat.command("/status")
    chat.press(f"ref:{ref}")


def info(chat: Chat, lang: str) -> None:
    p = PHRASES[lang]
    onboard(chat, lang, "prospective")
    chat.command("/info")
    chat.press("costs")
    chat.press("officer")
    chat.say(p["question"])
    chat.press("send")
    # The question is an open ticket now: what they write next joins it (acknowledged once).
    chat.say(p["misunderstood_1"])
    chat.say(p["misunderstood_2"])


def emergency(chat: Chat, lang: str) -> None:
    p = PHRASES[lang]
    chat.command("/darurat")
    chat.press("ecountry.MY")
    onboard(chat, lang)
    chat.command("/lapor")
    chat.press("held")
    chat.press("no")
    chat.press("self")
    # Malaysia was chosen on the card: not asked again.
    chat.say(p["danger_1"])
    chat.press("resume")
    chat.say(p["city"])
    chat.say(p["danger_2"])
    chat.press("urgent")


def cancel_and_language(chat: Chat, lang: str) -> None:
    onboard(chat, lang)
    chat.command("/lapor")
    chat.press("held")
    chat.command("/bahasa")
    chat.press(f"lang.{OTHER_LANGUAGE[lang]}")
    chat.command("/language")
    chat.press(f"lang.{lang}")
    chat.command("/batal")
    chat.command("/batal")


def erase(chat: Chat, lang: str) -> None:
    report(chat, lang)
    chat.command("/hapusdata")
    chat.press("keep")
    chat.command("/hapusdata")
    chat.press("erase")
    chat.command("/status")


def thread(chat: Chat, lang: str) -> None:
    """Item 1: after an urgent report every message joins it (one acknowledgement per burst); an
    officer's question is answered without the reply gesture."""
    p = PHRASES[lang]
    onboard(chat, lang)
    chat.command("/darurat")
    chat.press("ecountry.MY")
    chat.press("urgent")
    ref = next(e.ticket.ref for e in chat.events if isinstance(e, TicketOpened))
    for words in p["burst"]:
        chat.say(words)
    chat.tickets.answer(ref, "ppa-ppo", p["officer_answer"], chat.now)
    chat.now += timedelta(minutes=10)
    chat.say(p["typed_answer"])


def kept_words(chat: Chat, lang: str) -> None:
    """Item 1 (and 6): words at a button step are kept and the question asked again once; a story
    over several messages is one story; an afterthought at the summary is kept too."""
    p = PHRASES[lang]
    onboard(chat, lang)
    chat.command("/lapor")
    chat.say(p["aside"])
    chat.press("held")
    chat.press("no")
    chat.press("self")
    chat.press("MY")
    chat.say(p["city"])
    chat.say(p["story_1"])
    chat.say(p["story_2"])
    chat.say(p["story_3"])
    chat.press("skip")
    chat.press("chat")
    chat.say(p["afterthought"])
    chat.press("send")


def danger_now(chat: Chat, lang: str) -> None:
    """Item 2: "in danger right now: yes" shows the card before the next question; a story with
    danger words is kept as the story, and continue goes on from there; a caption works too."""
    p = PHRASES[lang]
    onboard(chat, lang)
    chat.command("/lapor")
    chat.press("violence")
    chat.press("yes")
    chat.press("resume")
    chat.press("self")
    chat.press("MY")
    chat.say(p["city"])
    chat.say(p["violence_story"])
    chat.press("resume")
    chat.press("later")
    chat.send(
        AttachmentIn("photo", "photo-1", "image/jpeg", 1000, caption=p["danger_caption"]),
        f"(photo: {p['danger_caption']})",
    )
    chat.press("urgent")


def card_keeps_words(chat: Chat, lang: str) -> None:
    """At the privacy question, before consent: words, a place and more words sent after the card
    instead of a tap are each kept, answered once per burst, and all of it is in the urgent ticket
    (words there used to get "please choose a button" and were lost)."""
    p = PHRASES[lang]
    chat.command("/start")
    chat.press(f"lang.{lang}")
    chat.say(p["card_danger"])
    chat.say(p["card_more"])
    chat.location(11.55, 104.92)
    chat.say(p["card_more_2"])
    chat.press("urgent")
    ticket = next(e.ticket for e in chat.events if isinstance(e, TicketOpened))
    chat.transcript.append("staff card:")
    lines = chat.renderer().lines(card_lines(_facts_of(ticket)))
    chat.transcript += ["      " + line for line in lines.split("\n")]


def onboarding_words(chat: Chat, lang: str) -> None:
    """A family member types their story at the privacy question: it is kept once they agree,
    and the report they start carries it."""
    p = PHRASES[lang]
    chat.command("/start")
    chat.press(f"lang.{lang}")
    chat.say(p["missing_story"])
    chat.press("agree")
    chat.press("family")
    chat.command("/lapor")


def consent_again(chat: Chat, lang: str) -> None:
    """Agreed to an older privacy notice: /lapor shows the notice again first; once agreed, the
    report starts (the role is not asked again)."""
    onboard(chat, lang)
    chat.state_json["consent_version"] = "2026-11"
    chat.command("/lapor")
    chat.press("agree")


def typed_answers(chat: Chat, lang: str) -> None:
    """Items 4 and 5: a report typed from start to end, buttons never pressed; a misspelt
    country is understood."""
    p = PHRASES[lang]
    onboard(chat, lang)
    chat.command("/lapor")
    for words in p["typed"]:
        chat.say(words)
    chat.say(p["typed_story"])
    for words in p["typed_rest"]:
        chat.say(words)


def countries(chat: Chat, lang: str) -> None:
    """Item 4: "another country" typed on the emergency card and understood; a country chosen on
    the card is not asked again; the scam-compound countries are offered; a misspelt country
    typed under "another country" is stored as its ISO code."""
    p = PHRASES[lang]
    chat.command("/darurat")
    chat.press("ecountry.other")
    chat.say(p["country_typed"])
    onboard(chat, lang, "family")
    chat.command("/lapor")
    chat.press("scam_compound")
    chat.press("no")
    chat.press("other")
    chat.say(p["relative"])
    chat.say(p["relation"])
    chat.press("unsure")
    chat.say(p["scam_city"])
    chat.say(p["unsure_story"])
    chat.press("skip")
    chat.press("chat")
    chat.press("send")
    chat.command("/lapor")
    chat.press("held")
    chat.press("no")
    chat.press("self")
    chat.press("other")
    chat.say(p["country_typo"])
    chat.say("Manila")
    chat.say(p["story"])
    chat.press("skip")
    chat.press("chat")
    chat.press("send")


def not_sure(chat: Chat, lang: str) -> None:
    """Item 7: "not sure" is a possible yes. A niece who may be 17 is copied to Polri PPA-PPO and
    high (the event line shows it); a missing relative with possible trafficking signs too."""
    p = PHRASES[lang]
    onboard(chat, lang, "family")
    chat.command("/lapor")
    chat.press("other")
    chat.press("no")
    chat.press("other")
    chat.say(p["relative"])
    chat.say(p["relation"])
    chat.press("unsure")
    chat.press("MY")
    chat.say(p["city"])
    chat.say(p["minor_story"])
    chat.press("skip")
    chat.press("chat")
    chat.press("send")
    chat.command("/lapor")
    chat.press("missing")
    chat.say(p["relative"])
    chat.say(p["relation"])
    chat.press("no")
    chat.say(p["last_contact"])
    chat.press("KH")
    chat.press("skip")
    chat.press("skip")
    chat.press("unsure")
    chat.say(p["missing_story"])
    chat.press("skip")
    chat.press("chat")
    chat.press("send")


def notices(chat: Chat, lang: str) -> None:
    """Item 8: the notice setting in /menu, discreet by default, changed and changed back."""
    onboard(chat, lang)
    chat.command("/menu")
    chat.press("notices")
    chat.press("notices.safe")
    chat.command("/menu")
    chat.press("notices")
    chat.press("notices.discreet")


def officer_sees(chat: Chat, lang: str) -> None:
    """Item 3 (and 6): a missing relative reported with a phone number and a long story, then what
    the officer reads: the staff card (short), the buttons it carries in each agency's chat (the
    owner's actions, none for the copy) and /lihat (whole, with the thread's times)."""
    p = PHRASES[lang]
    onboard(chat, lang, "family")
    chat.command("/lapor")
    chat.press("missing")
    chat.say(p["relative"])
    chat.say(p["relation"])
    chat.press("unsure")
    chat.say(p["last_contact"])
    chat.press("MY")
    chat.say(p["employer"])
    chat.say("C1234567")
    chat.press("yes")
    chat.say(" ".join([p["missing_story"]] * 12))  # about 700 characters: kept whole
    chat.press("skip")
    chat.press("phone")
    chat.say(p["phone"])
    chat.press("send")
    ticket = next(e.ticket for e in chat.events if isinstance(e, TicketOpened))
    chat.tickets.answer(ticket.ref, "kp2mi", p["officer_answer"], chat.now)
    facts = _facts_of(ticket)
    render = chat.renderer()
    chat.transcript.append("staff card:")
    chat.transcript += ["      " + line for line in render.lines(card_lines(facts)).split("\n")]
    # The same card in each agency's chat, with the buttons that agency may press (the ticket
    # model's): the owner's actions for KP2MI, none of them for the copy.
    for agency in (facts.owner, *facts.copied):
        actor = rules.relation(agency, facts.owner, facts.copied)
        rows = card_buttons(facts, actor)
        chat.transcript.append(f"buttons in the chat of {agency} ({actor}):{'' if rows else ' none'}")
        chat.transcript += ["      " + " ".join(f"[{render.text(b.label)}]" for b in row) for row in rows]
    chat.transcript.append("/lihat:")
    thread = [ThreadEntry("kp2mi", p["officer_answer"], chat.now)]
    whole = [*fact_lines(facts, whole=True), *thread_lines(thread, ticket.country)]
    chat.transcript += ["      " + line for line in render.lines(whole).split("\n")]


def _facts_of(ticket: NewTicket) -> CardFacts:
    """The card's facts as the service builds them from the stored ticket."""
    location = f"{ticket.latitude},{ticket.longitude}" if ticket.latitude is not None else None
    return CardFacts(
        ref=ticket.ref,
        priority=ticket.priority,
        category=ticket.category,
        status="open",
        owner=ticket.owner,
        copied=ticket.copied,
        country=ticket.country,
        city=ticket.city,
        victim=ticket.victim,
        victim_minor=ticket.victim_minor,
        contact_method=ticket.contact_method,
        description=ticket.description,
        created_at=ticket.created_at,
        due_at=None,
        evidence_count=len(ticket.evidence),
        details=ticket.details,
        victim_name=ticket.victim_name,
        danger_now=ticket.danger_now,
        contact_phone=ticket.contact_phone,
        location=location,
        reporter_role=ticket.reporter_role,
    )


SCRIPTS: dict[str, Callable[[Chat, str], None]] = {
    "onboarding": onboarding,
    "report": report,
    "report_missing": report_missing,
    "report_fake_documents": report_fake_documents,
    "assist": assist,
    "check": check,
    "check_not_found": check_not_found,
    "check_suspended": check_suspended,
    "check_expired": check_expired,
    "check_revoked": check_revoked,
    "check_lookalike": check_lookalike,
    "status": status,
    "info": info,
    "emergency": emergency,
    "cancel_and_language": cancel_and_language,
    "erase": erase,
    "thread": thread,
    "kept_words": kept_words,
    "danger_now": danger_now,
    "card_keeps_words": card_keeps_words,
    "consent_again": consent_again,
    "onboarding_words": onboarding_words,
    "typed_answers": typed_answers,
    "countries": countries,
    "not_sure": not_sure,
    "notices": notices,
    "officer_sees": officer_sees,
}
LANGUAGES = ("id", "en")
