"""The /cek flow: look a recruiter up in the registry, ask the red-flag questions, give a verdict.

Illegal recruiters use names like those of licensed companies, so only the same licence number or
the same name is "found" (``flows.ports.RegistryAnswer``); anything else is "no company with
exactly this name", with the names it resembles and how to tell a lookalike apart. Each answer is
one message holding the result, what it means and the next choices, because Telegram paces a chat
at about a message a second. Each names the list it comes from and that list's date, and the
fictional sample is never called official (SPEC section 5).

Every question is asked the plain way round ("Have you received a written contract?", never "Is
there no contract?"): a bare yes or no to a negative question is easy to get wrong. Each names the
answer that is the warning sign."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from flows.contacts import Contacts
from flows.conversation import Handler, Turn, global_button
from flows.emergency import service_label
from flows.ports import Recruiter, RegistryAnswer
from flows.recruiter_facts import red_flag_record
from flows.render import JAKARTA
from flows.replies import Button
from flows.steps import Option
from flows.text import M, Msg, Text
from flows.vocab import NO, YES

# (flag, question, weighs heavily, the answer that raises the flag): a heavy flag alone makes the
# offer high risk.
QUESTIONS: tuple[tuple[str, Msg, bool, str], ...] = (
    (
        "fees",
        M("Were you asked to pay fees beyond the official costs, or into a personal bank account?"),
        False,
        YES.id,
    ),
    ("tourist_visa", M("Are you told to leave on a tourist or visit visa?"), True, YES.id),
    (
        "scam_job",
        M(
            'Is it an "online", call-centre or crypto job in Cambodia, Myanmar, Laos, the '
            "Philippines or a border area, with a very high salary?"
        ),
        True,
        YES.id,
    ),
    ("passport_kept", M("Does the agent keep your passport or ID?"), True, YES.id),
    ("no_contract", M("Have you received a written work contract (Perjanjian Kerja)?"), False, NO.id),
    (
        "no_orientation",
        M("Will you get a pre-departure orientation (OPP) and a medical check before you leave?"),
        False,
        NO.id,
    ),
)
CHECK_OFFER = Option("check", M("Yes, check my offer"), means="yes")
NO_THANKS = Option("no", M("No, thank you"), means="no")
NONE_OF_THESE = Option("none", M("None of these"), means="no")
REPORT_IT = global_button("report_recruiter", M("Report this recruiter"))
MENU = global_button("menu", M("Menu"))
NOT_FOUND = "not_found"
# KP2MI's channels for "ask KP2MI", in the order a person at home or abroad needs them, and
# where the official list is published (all from data/contacts.json, with their sources there).
KP2MI_PHONES = ("kp2mi_tollfree", "kp2mi_abroad", "kp2mi_whatsapp")
KP2MI_LIST = "kp2mi_registry"


# -- what a company is, as the registry says ---------------------------------------------------
def status_text(recruiter: Recruiter, today: date) -> Msg:
    """The status in words, with the one date that belongs to it: an active licence is valid
    until a date, an expired one ended on it; a suspension or revocation has no "until" (the
    registry gives no end of suspension, and ``valid_until`` is not one)."""
    until = recruiter.valid_until
    if recruiter.status == "active":
        if until is None:
            return M("ACTIVE")
        if until < today:
            return M("ACTIVE in the list, but valid only until {until}", until=until)
        return M("ACTIVE, valid until {until}", until=until)
    if recruiter.status == "expired":
        return M("EXPIRED on {until}", until=until) if until else M("EXPIRED")
    if recruiter.status == "suspended":
        return M("SUSPENDED")
    if recruiter.status == "revoked":
        return M("REVOKED")
    return M("UNKNOWN")


def describe(recruiter: Recruiter, today: date) -> Msg:
    company = M(
        "{name} — licence {licence} — {status}",
        name=recruiter.name,
        licence=recruiter.license_number,
        status=status_text(recruiter, today),
    )
    place = ", ".join(p for p in (recruiter.city, recruiter.province) if p)
    return M("{company} — {place}", company=company, place=place) if place else company


def source_text(registry: dict[str, Any]) -> Msg:
    """Which list answered, and its date: every answer says it."""
    updated = date.fromisoformat(registry["updated"]) if registry.get("updated") else None
    if registry.get("sample"):
        if updated is None:
            return M(
                "Checked in the SAMPLE list (fictional companies for trying the bot; not the "
                "official registry). Its update date is not given."
            )
        return M(
            "Checked in the SAMPLE list (fictional companies for trying the bot; not the official "
            "registry), updated {date}.",
            date=updated,
        )
    if updated is None:
        return M("Checked in the official P3MI list. Its update date is not given.")
    return M("Checked in the official P3MI list, updated {date}.", date=updated)


def kp2mi_lines(contacts: Contacts, *, official_list: bool = False) -> list[Text]:
    """KP2MI's numbers, and with ``official_list`` where the official list is published."""
    services = (*KP2MI_PHONES, KP2MI_LIST) if official_list else KP2MI_PHONES
    return [
        M("• {service}: {number}", service=service_label(number.service), number=number.number)
        for service in services
        for number in contacts.national
        if number.service == service
    ]


# -- the flow ----------------------------------------------------------------------------------
class Check(Handler):
    flow_id = "check"

    def start(self, t: Turn) -> None:
        t.st.flow, t.st.step, t.st.data = self.flow_id, "query", {}
        t.next_question()
        self.prompt(t)

    def prompt(self, t: Turn) -> None:
        step = t.st.step or "query"
        if step == "query":
            t.say(M("Type the company (P3MI) name or its licence number."))
        elif step == "pick":
            self._say_pick(t)
        elif step == "offer":
            t.say(*self._offer_lines(t), buttons=self._offer_buttons(t))
        elif (index := _question(step)) is not None:
            _, question, _, _ = QUESTIONS[index]
            t.say(
                M("Question {n} of {total}", n=index + 1, total=len(QUESTIONS)),
                question,
                buttons=t.options([YES, NO], 2),
            )

    def options_shown(self, t: Turn) -> Sequence[Option]:
        step = t.st.step or "query"
        if step == "pick":
            named = [Option(str(i), str(c["license_number"])) for i, c in enumerate(t.st.data["candidates"])]
            return [*named, NONE_OF_THESE]
        if step == "offer":
            return [CHECK_OFFER, NO_THANKS]
        if _question(step) is not None:
            return [YES, NO]
        return ()

    def on_text(self, t: Turn, text: str) -> None:
        step = t.st.step or "query"
        if _question(step) is not None:
            super().on_text(t, text)
            return
        if step != "query":
            chosen = t.ctx.understand.choice(text, self.options_shown(t))
            if chosen is not None:
                self.on_choice(t, chosen)
                return
            # Otherwise the person typed the next name, or the licence number an answer asked
            # for, without pressing anything first: it is checked in place of the last one.
        query = " ".join(text.split())[:200]
        if len(query) < 2:
            t.say(M("Please type at least two letters of the name, or the licence number."))
            return
        self.search(t, query)

    def search(self, t: Turn, query: str) -> None:
        answer = t.ctx.registry.search(query, limit=3)
        registry = {
            "sample": answer.is_sample,
            "updated": answer.updated_at.isoformat() if answer.updated_at else None,
        }
        t.st.data = {"query": query, "registry": registry}
        if len(answer.found) > 1:
            # Several companies with this very name: only the licence number tells them apart.
            t.st.data["candidates"] = [_stored(c) for c in answer.found]
            t.st.data["by_licence"] = answer.by_licence
            t.st.step = "pick"
            t.next_question()
            self._say_pick(t)
            return
        if answer.found:
            self._found(t, answer.found[0], by_licence=answer.by_licence)
        else:
            self._not_found(t, answer)
        self._offer(t)

    def _found(self, t: Turn, recruiter: Recruiter, by_licence: bool) -> None:
        data = t.st.data
        data["company"] = _stored(recruiter)
        data["status"] = recruiter.status
        data["recruiter"] = _facts(recruiter.name, recruiter.license_number, recruiter.status)
        data["answer"] = "licence" if by_licence else "name"

    def _not_found(self, t: Turn, answer: RegistryAnswer | None) -> None:
        data = t.st.data
        data["status"] = NOT_FOUND
        data["recruiter"] = _facts(data["query"], "", NOT_FOUND)
        data["close"] = [_stored(c) for c in answer.close] if answer else []
        data["similar"] = [_stored(c) for c in answer.similar] if answer else []
        data["answer"] = "not_found" if answer else "none_of_these"

    def _offer(self, t: Turn) -> None:
        t.st.step = "offer"
        t.next_question()
        self.prompt(t)

    def _offer_lines(self, t: Turn) -> list[Text]:
        """The whole answer: where it comes from, what was found, what it means, what next."""
        data = t.st.data
        today = _today(t)
        lines: list[Text] = [source_text(data.get("registry") or {})]
        status = data.get("status")
        if status != NOT_FOUND and data.get("company"):
            recruiter = _recruiter(data["company"])
            if data.get("answer") == "licence":
                lines.append(M("Found: the same licence number."))
            else:
                lines.append(M("Found: the same name."))
            lines.append(describe(recruiter, today))
            lines += _status_advice(recruiter, today, t.ctx.contacts)
        else:
            lines += self._not_found_lines(t)
        lines.append(
            # TRANSLATORS: {count} is the number of questions, always more than one.
            M("Answer {count} short questions about the offer?", count=len(QUESTIONS))
        )
        lines.append(M("Or type another name or licence number to check it."))
        return lines

    def _not_found_lines(self, t: Turn) -> list[Text]:
        data = t.st.data
        today = _today(t)
        close = [_recruiter(c) for c in data.get("close") or ()]
        similar = [_recruiter(c) for c in data.get("similar") or ()]
        lines: list[Text] = []
        if data.get("answer") == "none_of_these":
            lines.append(
                M(
                    "The licence number on your contract is not one of the companies with this "
                    "name in the list."
                )
            )
        else:
            lines.append(M("No company with exactly this name or number is in this list."))
        if close:
            lines.append(M("Did you mean:"))
            lines += [describe(c, today) for c in close]
            lines.append(
                M(
                    "If you mean this company, send its licence number, as written on your "
                    "contract, to check it."
                )
                if len(close) == 1
                else M(
                    "If you mean one of these companies, send its licence number, as written on "
                    "your contract, to check it."
                )
            )
        if similar:
            lines.append(M("Similar names, of other companies:"))
            lines += [describe(c, today) for c in similar]
        if close or similar or data.get("answer") == "none_of_these":
            lines.append(
                M(
                    "<b>Illegal recruiters use names like those of licensed companies.</b> Compare "
                    "the name and the licence number on the contract or ID card letter by letter."
                )
            )
        if (data.get("registry") or {}).get("sample"):
            lines.append(
                M(
                    "This is only the sample list: a real company can be missing from it. Before "
                    "you pay or hand over documents, check the official list and ask KP2MI:"
                )
            )
        else:
            lines.append(
                M("Do not pay or hand over documents before KP2MI confirms that the company is licensed:")
            )
        lines += kp2mi_lines(t.ctx.contacts, official_list=True)
        return lines

    def _offer_buttons(self, t: Turn) -> list[list[Button]]:
        buttons = [[t.button(CHECK_OFFER.id, CHECK_OFFER.label)]]
        company = t.st.data.get("company") if t.st.data.get("status") != NOT_FOUND else None
        if company is None or not _licensed_now(_recruiter(company), _today(t)):
            buttons.append([REPORT_IT])
        buttons.append([t.button(NO_THANKS.id, NO_THANKS.label)])
        return buttons

    def _say_pick(self, t: Turn) -> None:
        data = t.st.data
        today = _today(t)
        candidates = [_recruiter(c) for c in data["candidates"]]
        options = [Option(str(i), c.license_number) for i, c in enumerate(candidates)]
        t.say(
            source_text(data.get("registry") or {}),
            M("Several companies in this list have this name:"),
            *(describe(c, today) for c in candidates),
            M("Which licence number is on your contract?"),
            buttons=t.options([*options, NONE_OF_THESE]),
        )

    def _chosen(self, t: Turn, index: int | None) -> None:
        if index is None:
            self._not_found(t, None)
        else:
            by_licence = bool(t.st.data.get("by_licence"))
            self._found(t, _recruiter(t.st.data["candidates"][index]), by_licence=by_licence)
        self._offer(t)

    def on_choice(self, t: Turn, choice: str) -> None:
        step = t.st.step or ""
        if step == "pick":
            if choice == NONE_OF_THESE.id:
                self._chosen(t, None)
                return
            if choice.isdecimal() and len(choice) < 3 and int(choice) < len(t.st.data["candidates"]):
                self._chosen(t, int(choice))
                return
        elif step == "offer" and choice in (CHECK_OFFER.id, NO_THANKS.id):
            if choice == NO_THANKS.id:
                self.finish(t, answered=False)
                return
            t.st.data["answers"] = []
            t.st.step = "q0"
            t.next_question()
            self.prompt(t)
            return
        elif (index := _question(step)) is not None and choice in (YES.id, NO.id):
            flag = QUESTIONS[index][0]
            t.st.data.setdefault("answers", []).append([flag, choice])
            if index + 1 < len(QUESTIONS):
                t.st.step = f"q{index + 1}"
                t.next_question()
                self.prompt(t)
            else:
                self.finish(t, answered=True)
            return
        super().on_choice(t, choice)

    def finish(self, t: Turn, answered: bool) -> None:
        data = t.st.data
        status = str(data.get("status"))
        # Keep only what "report this recruiter" needs after the flow ends.
        kept: dict[str, Any] = {
            key: data[key] for key in ("recruiter", "answers", "registry", "company") if key in data
        }
        t.st.data = kept
        t.st.flow, t.st.step = None, None
        buttons = [[REPORT_IT], [MENU]]
        if not answered:
            t.say(M("All right. Check again any time with /cek."), buttons=buttons)
            return
        flags = flagged(kept.get("answers") or [])
        risk = verdict(status, flags)
        lines: list[Text] = [*_checked_lines(kept, _today(t)), VERDICTS[risk]]
        lines += [ADVICE[f] for f in flags if f in ADVICE]
        if risk != "low":
            lines.append(M("Ask KP2MI before you pay, sign or leave:"))
            lines += kp2mi_lines(t.ctx.contacts)
        lines.append(M("Safe migration information: /info"))
        t.say(*lines, buttons=buttons)


def flagged(answers: list[list[str]]) -> list[str]:
    """The flags raised by the stored answers, in question order."""
    warning = {flag: answer for flag, _, _, answer in QUESTIONS}
    return [flag for flag, answer in answers if warning.get(flag) == answer]


def verdict(status: str, flags: list[str]) -> str:
    """high | medium | low. An unlicensed recruiter or any heavy sign is high risk."""
    heavy = {q for q, _, weighs, _ in QUESTIONS if weighs}
    if status != "active" or heavy.intersection(flags) or len(flags) >= 2:
        return "high"
    return "medium" if flags else "low"


def report_prefill(data: dict[str, Any]) -> dict[str, Any] | None:
    """What "Report this recruiter" fills in: the category, the company as checked and, when
    the questions were answered, each answer and the verdict (flows.recruiter_facts)."""
    recruiter = data.get("recruiter")
    if isinstance(recruiter, str):  # saved by the version before the facts were kept apart
        return {"recruiter": recruiter}
    if not isinstance(recruiter, dict):
        return None
    prefill: dict[str, Any] = {
        "category": "illegal_recruitment",
        "recruiter_name": recruiter.get("name", ""),
        "recruiter_license": recruiter.get("license", ""),
        "recruiter_status": recruiter.get("status", ""),
    }
    answers = data.get("answers") or []
    warning = {flag: answer for flag, _, _, answer in QUESTIONS}
    if answers:
        prefill["red_flags"] = red_flag_record(
            (flag, answer, warning.get(flag) == answer) for flag, answer in answers
        )
    if len(answers) == len(QUESTIONS):
        prefill["red_flag_risk"] = verdict(str(recruiter.get("status")), flagged(answers))
    return prefill


VERDICTS: dict[str, Msg] = {
    "high": M(
        "<b>High risk.</b> This offer shows signs of illegal recruitment or trafficking. "
        "Do not leave, do not pay, and do not hand over your passport."
    ),
    "medium": M(
        "<b>Be careful.</b> Something in this offer is not as it should be. Ask for it in "
        "writing and check with KP2MI before you pay or sign."
    ),
    "low": M(
        "<b>No warning signs found.</b> Still: sign a written contract, attend the "
        "pre-departure orientation, and never leave on a tourist visa."
    ),
}
ADVICE: dict[str, Msg] = {
    "fees": M("• Workers may not be charged placement costs (UU 18/2017); for many jobs the employer pays."),
    "tourist_visa": M("• Legal work abroad needs a work visa, never a tourist or visit visa."),
    "scam_job": M('• "Online" jobs with high pay in Cambodia, Myanmar or Laos are a known trafficking trap.'),
    "passport_kept": M("• Your passport and ID are yours: no agent may keep them."),
    "no_contract": M("• Always get a written work contract (Perjanjian Kerja) before you leave."),
    "no_orientation": M("• Official placement includes pre-departure orientation and a medical check."),
}


def _status_advice(recruiter: Recruiter, today: date, contacts: Contacts) -> list[Text]:
    """What the status means for the person, fitting that status: only a licence that is active
    and still valid is called licensed."""
    status = recruiter.status
    if _licensed_now(recruiter, today):
        return [M("A licensed company does not always offer a safe job.")]
    if status == "active":
        lines: list[Text] = [
            M(
                "The list may not be up to date: ask KP2MI whether the licence was renewed "
                "before you pay or sign:"
            )
        ]
    elif status == "expired":
        lines = [
            M(
                "<b>Its licence has expired:</b> it is not licensed to place workers now. Do not pay "
                "and do not hand over documents. Ask KP2MI:"
            )
        ]
    elif status == "suspended":
        lines = [
            M(
                "<b>Its licence is suspended.</b> Do not pay and do not hand over documents. Ask "
                "KP2MI whether it may recruit:"
            )
        ]
    elif status == "revoked":
        lines = [
            M(
                "<b>Its licence has been revoked:</b> it is no longer licensed to place workers. Do "
                "not pay and do not hand over documents. Ask KP2MI:"
            )
        ]
    else:
        lines = [M("The list does not say whether this licence is valid. Ask KP2MI:")]
    return lines + kp2mi_lines(contacts)


def _licensed_now(recruiter: Recruiter, today: date) -> bool:
    until = recruiter.valid_until
    return recruiter.status == "active" and (until is None or until >= today)


def _checked_lines(data: dict[str, Any], today: date) -> list[Text]:
    """The company the verdict is about, as the list says, and which list."""
    source = source_text(data.get("registry") or {})
    if data.get("company") and (data.get("recruiter") or {}).get("status") != NOT_FOUND:
        return [describe(_recruiter(data["company"]), today), source]
    name = str((data.get("recruiter") or {}).get("name") or "")
    return [M("“{name}”: no company with exactly this name in the list.", name=name), source]


def _question(step: str) -> int | None:
    """The red-flag question a step asks ("q0" to "q5"), or None for any other step."""
    if step[:1] == "q" and step[1:].isdecimal() and int(step[1:]) < len(QUESTIONS):
        return int(step[1:])
    return None


def _today(t: Turn) -> date:
    return t.ctx.now.astimezone(JAKARTA).date()


def _facts(name: str, licence: str, status: str) -> dict[str, str]:
    return {"name": name, "license": licence, "status": status}


def _stored(c: Recruiter) -> dict[str, Any]:
    """A company as the conversation state keeps it (plain JSON)."""
    return {
        "name": c.name,
        "license_number": c.license_number,
        "status": c.status,
        "valid_until": c.valid_until.isoformat() if c.valid_until else None,
        "city": c.city,
        "province": c.province,
    }


def _recruiter(stored: dict[str, Any]) -> Recruiter:
    until = stored.get("valid_until")
    return Recruiter(
        name=str(stored.get("name") or ""),
        license_number=str(stored.get("license_number") or ""),
        status=str(stored.get("status") or ""),
        valid_until=date.fromisoformat(until) if until else None,
        city=str(stored.get("city") or ""),
        province=str(stored.get("province") or ""),
    )
