"""First contact: language, the privacy notice and consent (UU PDP 27/2022), then the person's role."""

from __future__ import annotations

from collections.abc import Sequence

from flows.conversation import Handler, Turn, global_button, keep_note
from flows.events import ConsentDeclined, ConsentGiven, LanguageChanged, RoleChosen
from flows.menu import show_menu
from flows.steps import Option
from flows.text import M
from flows.vocab import agency_list

LANGUAGES = (Option("id", M("Bahasa Indonesia")), Option("en", M("English")))
ROLES = (
    Option("worker", M("I work abroad")),
    Option("family", M("Family of a worker")),
    Option("prospective", M("I plan to work abroad")),
)
AGREE = Option("agree", M("I agree"), means="yes")
DECLINE = Option("decline", M("I do not agree"), means="no")


class Onboarding(Handler):
    flow_id = "onboarding"
    may_pass = False  # no officer before consent: the person is shown the question again

    def options_shown(self, t: Turn) -> Sequence[Option]:
        if t.st.step == "consent":
            return [AGREE, DECLINE]
        if t.st.step == "role":
            return ROLES
        return ()

    def on_text(self, t: Turn, text: str) -> None:
        if t.st.step == "language":
            lang = t.ctx.understand.choice(text, LANGUAGES)
            if lang is not None:
                set_language(t, lang)
                self.language_chosen(t)
                return
        super().on_text(t, text)

    def start(self, t: Turn) -> None:
        t.st.flow = self.flow_id
        t.st.step = "consent" if t.st.lang_chosen else "language"
        t.st.data = {}
        t.next_question()
        self.prompt(t)

    def ask_again(self, t: Turn) -> None:
        """The notice changed since the person agreed (another agency may receive reports, say):
        asked again before anything new is collected, not at every message, and never before
        the emergency card or words for a ticket that exists."""
        t.st.flow, t.st.step, t.st.data = self.flow_id, "consent", {"again": True}
        t.next_question()
        self.prompt(t)

    def prompt(self, t: Turn) -> None:
        if t.st.step == "language":
            t.say(
                M("Welcome to the PMI Helpline, for Indonesian migrant workers and their families."),
                M("Choose your language."),
                buttons=[[global_button(f"lang.{o.id}", o.label) for o in LANGUAGES]],
            )
        elif t.st.step == "consent":
            t.say(
                M("Our privacy notice has changed since you agreed to it. Please read it again:")
                if t.st.data.get("again")
                else M("Before we start, about your data:"),
                # The agencies come from data/agencies.json: a ticket reaches only those its
                # routing names, so "that must act on it" is true of each one listed.
                M(
                    "• We keep what you tell us only to help you, and share it only with those of "
                    "these agencies that must act on it: {agencies}.",
                    agencies=agency_list(),
                ),
                M(
                    "• Reports about crimes, children and health are sensitive data under UU PDP "
                    "27/2022 and are protected."
                ),
                M("• You can erase your data at any time with /hapusdata."),
                M("Do you agree?"),
                buttons=t.options([AGREE, DECLINE], 2),
            )
        else:
            t.say(M("Who are you?"), buttons=t.options(ROLES))

    def missed(self, t: Turn, text: str) -> None:
        """Words where a button is expected, before the person is onboarded ("my sister is
        missing", typed at the privacy question): kept, and said so, for the report that may follow
        once they agree; declining forgets them."""
        words = text.strip()
        if not words:
            super().missed(t, text)
            return
        keep_note(t.st.data, words)
        t.say(
            M("Thank you, I have kept what you wrote for your report.")
            if t.st.consent
            else M(
                "Thank you. I will keep what you wrote for an officer once you agree to how we use your data."
            )
        )
        self.prompt(t)

    def language_chosen(self, t: Turn) -> None:
        """Called by the engine after a language button during onboarding."""
        t.st.step = "consent"
        t.next_question()
        self.prompt(t)

    def on_choice(self, t: Turn, choice: str) -> None:
        if t.st.step == "consent" and choice == AGREE.id:
            t.st.consent, t.st.consent_version = True, t.ctx.privacy_version
            t.emit(ConsentGiven(t.ctx.privacy_version, t.st.lang, t.ctx.now))
            if t.st.data.get("again") and t.st.role:
                t.st.clear_flow()  # the role is known: on to what they asked for
                self.finish(t)
                return
            t.st.step = "role"
            t.next_question()
            self.prompt(t)
        elif t.st.step == "consent" and choice == DECLINE.id:
            t.emit(ConsentDeclined(t.ctx.now))
            t.st.consent = False  # the reports already sent stay with the officers handling them
            wrote = bool(t.st.data.get("notes"))
            t.st.clear_flow()  # and what was written meanwhile is forgotten
            t.st.after_onboarding = None
            t.say(
                M("We understand. Without your consent we cannot keep a report."),
                *([M("What you wrote here has not been kept.")] if wrote else []),
                M(
                    "You can still use /darurat for emergency numbers, /cek to check a recruiter "
                    "and /info. Press /start if you change your mind."
                ),
            )
        elif t.st.step == "role" and any(o.id == choice for o in ROLES):
            t.st.role = choice
            t.emit(RoleChosen(choice))
            notes = list(t.st.data.get("notes") or ())
            t.st.clear_flow()
            if notes:  # written during onboarding: they go with the next report
                prefill = dict(t.st.prefill or {})
                prefill["notes"] = [*prefill.get("notes", ()), *notes]
                t.st.prefill = prefill
            self.finish(t)
        else:
            super().on_choice(t, choice)

    def finish(self, t: Turn) -> None:
        """Onboarding done: go where the person wanted to go, or to the menu."""
        pending, t.st.after_onboarding = t.st.after_onboarding, None
        if pending:
            t.then = (pending, "")  # the engine owns command dispatch
        elif t.st.prefill and t.st.prefill.get("notes"):
            show_menu(t, M("Thank you. What you wrote is kept: choose “Report” to send it to an officer."))
        else:
            show_menu(t, M("Thank you. You can start now."))


def set_language(t: Turn, lang: str) -> None:
    t.st.lang, t.st.lang_chosen = lang, True
    t.emit(LanguageChanged(lang))
