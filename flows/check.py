"""The /cek flow: look a recruiter up in the registry, ask the red-flag questions, give a verdict.

Every question is asked the plain way round ("Have you received a written contract?", never "Is
there no contract?"): a bare yes or no to a negative question is easy to get wrong. Each names the
answer that is the warning sign."""

from __future__ import annotations

from collections.abc import Sequence

from flows.conversation import Handler, Turn, global_button
from flows.ports import Recruiter, RegistryAnswer
from flows.steps import Option
from flows.text import M, Msg, Text
from flows.vocab import NO, YES

STATUS_LABELS: dict[str, Msg] = {
    "active": M("ACTIVE"),
    "suspended": M("SUSPENDED"),
    "revoked": M("REVOKED"),
    "expired": M("EXPIRED"),
}
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


def describe(recruiter: Recruiter) -> Msg:
    status = STATUS_LABELS.get(recruiter.status, M("UNKNOWN"))
    place = ", ".join(p for p in (recruiter.city, recruiter.province) if p)
    if recruiter.valid_until:
        return M(
            "{name} — licence {licence} — {status}, valid until {until} — {place}",
            name=recruiter.name,
            licence=recruiter.license_number,
            status=status,
            until=recruiter.valid_until,
            place=place,
        )
    return M(
        "{name} — licence {licence} — {status} — {place}",
        name=recruiter.name,
        licence=recruiter.license_number,
        status=status,
        place=place,
    )


class Check(Handler):
    flow_id = "check"

    def start(self, t: Turn) -> None:
        t.st.flow, t.st.step, t.st.data = self.flow_id, "query", {}
        t.next_question()
        self.prompt(t)

    def prompt(self, t: Turn) -> None:
        step = t.st.step or "query"
        data = t.st.data
        if step == "query":
            t.say(M("Type the company (P3MI) name or its licence number."))
        elif step == "pick":
            options = [Option(str(i), str(c["name"])) for i, c in enumerate(data["candidates"])]
            t.say(M("Which one is it?"), buttons=t.options([*options, NONE_OF_THESE]))
        elif step == "offer":
            t.say(
                # TRANSLATORS: {count} is the number of questions, always more than one.
                M(
                    "A licensed company does not always offer a safe job. Answer {count} short questions?",
                    count=len(QUESTIONS),
                ),
                buttons=t.options([CHECK_OFFER, NO_THANKS], 1),
            )
        elif step.startswith("q"):
            _, question, _, _ = QUESTIONS[int(step[1:])]
            t.say(
                M("Question {n} of {total}", n=int(step[1:]) + 1, total=len(QUESTIONS)),
                question,
                buttons=t.options([YES, NO], 2),
            )

    def options_shown(self, t: Turn) -> Sequence[Option]:
        step = t.st.step or "query"
        if step == "pick":
            named = [Option(str(i), str(c["name"])) for i, c in enumerate(t.st.data["candidates"])]
            return [*named, NONE_OF_THESE]
        if step == "offer":
            return [CHECK_OFFER, NO_THANKS]
        if step.startswith("q"):
            return [YES, NO]
        return ()

    def on_text(self, t: Turn, text: str) -> None:
        if t.st.step != "query":
            super().on_text(t, text)
            return
        query = " ".join(text.split())[:200]
        if len(query) < 2:
            t.say(M("Please type at least two letters of the name, or the licence number."))
            return
        self.search(t, query)

    def search(self, t: Turn, query: str) -> None:
        answer = t.ctx.registry.search(query, limit=3)
        data = t.st.data
        data["query"] = query
        data["candidates"] = [_candidate(c) for c in answer.candidates]
        t.say(*_results(answer))
        if not answer.candidates:
            data["status"] = "not_found"
            data["recruiter"] = query
            t.say(
                M(
                    "This name or number is not in the official list. Do not pay or hand over "
                    "documents. Check the official list of KP2MI, or call KP2MI."
                ),
                buttons=[[REPORT_IT], [global_button("menu", M("Menu"))]],
            )
            t.st.step = "offer"
            t.next_question()
            self.prompt(t)
            return
        if len(answer.candidates) == 1 or answer.exact:
            self._chosen(t, 0)
            return
        t.st.step = "pick"
        t.next_question()
        self.prompt(t)

    def _chosen(self, t: Turn, index: int | None) -> None:
        data = t.st.data
        if index is None:
            data["status"], data["recruiter"] = "not_found", data["query"]
        else:
            chosen = data["candidates"][index]
            data["status"] = chosen["status"]
            data["recruiter"] = f"{chosen['name']} ({chosen['license_number']})"
            if chosen["status"] != "active":
                t.say(
                    M(
                        "Warning: this company's licence is not active. Do not pay and do not "
                        "hand over documents."
                    ),
                    buttons=[[REPORT_IT]],
                )
        t.st.step = "offer"
        t.next_question()
        self.prompt(t)

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
                self.finish(t, flags=None)
                return
            t.st.data["flags"] = []
            t.st.step = "q0"
            t.next_question()
            self.prompt(t)
            return
        elif step.startswith("q") and choice in (YES.id, NO.id):
            index = int(step[1:])
            flag, _, _, warning_answer = QUESTIONS[index]
            if choice == warning_answer:
                t.st.data["flags"].append(flag)
            if index + 1 < len(QUESTIONS):
                t.st.step = f"q{index + 1}"
                t.next_question()
                self.prompt(t)
            else:
                self.finish(t, flags=t.st.data["flags"])
            return
        super().on_choice(t, choice)

    def finish(self, t: Turn, flags: list[str] | None) -> None:
        data = t.st.data
        status = str(data.get("status"))
        # Keep only what "report this recruiter" needs after the flow ends.
        t.st.data = {"recruiter": data.get("recruiter"), "flags": flags or []}
        t.st.flow, t.st.step = None, None
        buttons = [[REPORT_IT], [global_button("menu", M("Menu"))]]
        if flags is None:
            t.say(M("All right. Check again any time with /cek."), buttons=buttons)
            return
        risk = verdict(status, flags)
        lines: list[Text] = [VERDICTS[risk]]
        lines += [ADVICE[f] for f in flags if f in ADVICE]
        lines.append(M("Safe migration information: /info"))
        t.say(*lines, buttons=buttons)


def verdict(status: str, flags: list[str]) -> str:
    """high | medium | low. An unlicensed recruiter or any heavy sign is high risk."""
    heavy = {q for q, _, weighs, _ in QUESTIONS if weighs}
    if status != "active" or heavy.intersection(flags) or len(flags) >= 2:
        return "high"
    return "medium" if flags else "low"


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


def _candidate(c: Recruiter) -> dict[str, str]:
    return {"name": c.name, "license_number": c.license_number, "status": c.status}


def _results(answer: RegistryAnswer) -> list[Text]:
    lines: list[Text] = []
    if answer.is_sample:
        lines.append(
            M(
                "Note: this is a SAMPLE list with fictional companies, for trying the bot. "
                "It is not the official registry."
            )
        )
    # With the sample loaded, "found in the official list" right under "this is not the official
    # registry" would contradict itself for a reader in a hurry.
    if not answer.candidates:
        lines.append(M("Not found in the sample list.") if answer.is_sample
                     else M("Not found in the official P3MI list."))
        return lines
    if answer.is_sample:
        lines.append(M("Found in the sample list:"))
    elif answer.updated_at:
        lines.append(M("Found in the official P3MI list (updated {date}):", date=answer.updated_at))
    else:
        lines.append(M("Found in the official P3MI list:"))
    lines += [describe(c) for c in answer.candidates]
    return lines
