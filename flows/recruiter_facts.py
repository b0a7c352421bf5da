"""What a report carries about a recruiter checked with /cek, and how staff read it.

The facts travel in ``NewTicket.details`` as plain strings (see ``flows.tickets.DETAIL_FIELDS``):
``recruiter_name``, ``recruiter_license``, ``recruiter_status`` (active | suspended | revoked |
expired | not_found), ``red_flags`` (one line per question answered: the sign, the answer, and
"⚠" in front when the answer is the warning one) and ``red_flag_risk`` (high | medium | low).
The red-flag lines are stored in English, the source language, so that every tool shows the
same words; the card translates the lines it knows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flows.text import M, Msg, Text
from flows.vocab import NO, YES

STATUS_NAMES: dict[str, Msg] = {
    "active": M("ACTIVE"),
    "suspended": M("SUSPENDED"),
    "revoked": M("REVOKED"),
    "expired": M("EXPIRED"),
    "not_found": M("NOT IN THE LIST"),
}
RISK_NAMES: dict[str, Msg] = {
    "high": M("HIGH RISK"),
    "medium": M("be careful"),
    "low": M("no warning signs"),
}
# The sign each red-flag question asks about, short enough for a card line.
FLAG_LABELS: dict[str, Msg] = {
    "fees": M("Fees beyond the official costs, or into a personal account"),
    "tourist_visa": M("Leaving on a tourist or visit visa"),
    "scam_job": M("Online, call-centre or crypto job in a scam-compound area, very high pay"),
    "passport_kept": M("Passport or ID kept by the agent"),
    "no_contract": M("Written work contract received"),
    "no_orientation": M("Pre-departure orientation and medical check"),
}
WARNING_MARK = "⚠"
_ANSWERS = {YES.id: YES.label, NO.id: NO.label}
_BY_MSGID = {label.msgid: label for label in FLAG_LABELS.values()}


def red_flag_record(answers: Iterable[tuple[str, str, bool]]) -> str:
    """The ``red_flags`` detail from (flag, answer id, whether that answer is the warning)."""
    return "\n".join(
        f"{WARNING_MARK + ' ' if warns else ''}{FLAG_LABELS[flag].msgid}: {answer}"
        for flag, answer, warns in answers
        if flag in FLAG_LABELS
    )


def red_flag_lines(record: str, *, warnings_only: bool = False) -> list[Text]:
    """The stored lines, translated where they are ours; a line we do not know is shown as it is."""
    lines: list[Text] = []
    for line in record.splitlines():
        warns = line.startswith(WARNING_MARK)
        if warnings_only and not warns:
            continue
        sign, _, answer = line.removeprefix(WARNING_MARK).strip().rpartition(": ")
        if sign in _BY_MSGID and answer in _ANSWERS:
            shown = M("{sign}: {answer}", sign=_BY_MSGID[sign], answer=_ANSWERS[answer])
            lines.append(M("⚠ {line}", line=shown) if warns else shown)
        elif line.strip():
            lines.append(line)
    return lines


def company_text(details: Mapping[str, str]) -> Text | None:
    """ "PT X (SIP3MI-…) — REVOKED": the recruiter a report names, with what the list says of it."""
    name = details.get("recruiter_name")
    if not name:
        return None
    status = details.get("recruiter_status", "")
    shown_status: Text = STATUS_NAMES.get(status, status)
    if details.get("recruiter_license"):
        return M(
            "{name} ({licence}) — {status}",
            name=name,
            licence=details["recruiter_license"],
            status=shown_status,
        )
    return M("{name} — {status}", name=name, status=shown_status)


def card_lines(details: Mapping[str, str]) -> list[Text]:
    """The recruiter and the red flags, short, for a staff card: only the warning answers."""
    company = company_text(details)
    lines: list[Text] = []
    if company is not None:
        lines.append(M("Recruiter: {company}", company=company))
    risk = details.get("red_flag_risk")
    if risk in RISK_NAMES:
        lines.append(M("Red-flag check: {risk}", risk=RISK_NAMES[risk]))
        lines += red_flag_lines(details.get("red_flags", ""), warnings_only=True)
    return lines
