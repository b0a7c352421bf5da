"""The conversations recorded as golden transcripts, one function per flow.

Each script gets a fresh ``Chat`` and a language ("id" or "en"), chooses that language by pressing
the onboarding language button, and plays what a person in that language would type. The
transcript it leaves (``chat.transcript``) is compared with ``tests/golden/<flow>.<lang>.txt``."""

from __future__ import annotations

from collections.abc import Callable

from flows.events import TicketOpened
from tests.support.chat import Chat

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
        "recruiter_query": "pt bintang samudera karya",
        "recruiter_story": "Saya diminta bayar 25 juta ke rekening pribadi dan berangkat pakai visa turis.",
        "recruiter_city": "Malang",
        "unknown_recruiter": "PT Maju Terus Sejahtera",
        "question": "Apakah agen boleh meminta biaya 30 juta untuk kerja di Taiwan?",
        "danger_1": "tolong saya disekap, tidak boleh keluar",
        "danger_2": "saya dipukul tadi malam",
        "misunderstood_1": "halo",
        "misunderstood_2": "kapan saya bisa pulang?",
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
        "recruiter_query": "pt bintang samudera karya",
        "recruiter_story": "They asked for 25 million rupiah into a personal account and told me "
        "to leave on a tourist visa.",
        "recruiter_city": "Malang",
        "unknown_recruiter": "PT Maju Terus Sejahtera",
        "question": "May an agency charge 30 million rupiah for a job in Taiwan?",
        "danger_1": "help me, I am locked in the house",
        "danger_2": "I was beaten last night",
        "misunderstood_1": "hello",
        "misunderstood_2": "when can I go home?",
    },
}
OTHER_LANGUAGE = {"id": "en", "en": "id"}


def onboard(chat: Chat, lang: str, role: str = "worker") -> None:
    chat.command("/start")
    chat.press(f"lang.{lang}")
    chat.press("agree")
    chat.press(role)


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
    chat.press("report_recruiter")
    chat.press("illegal_recruitment")
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
    chat.say(p["misunderstood_1"])
    chat.say(p["misunderstood_2"])
    chat.press("ask_officer")
    chat.press("send")


def emergency(chat: Chat, lang: str) -> None:
    p = PHRASES[lang]
    chat.command("/darurat")
    chat.press("ecountry.MY")
    onboard(chat, lang)
    chat.command("/lapor")
    chat.press("held")
    chat.press("no")
    chat.press("self")
    chat.press("MY")
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


SCRIPTS: dict[str, Callable[[Chat, str], None]] = {
    "onboarding": onboarding,
    "report": report,
    "report_missing": report_missing,
    "assist": assist,
    "check": check,
    "check_not_found": check_not_found,
    "status": status,
    "info": info,
    "emergency": emergency,
    "cancel_and_language": cancel_and_language,
    "erase": erase,
}
LANGUAGES = ("id", "en")
