"""The notice setting in /menu. Messages the person did not ask for (an officer took the report,
it was resolved or closed, a reminder) are discreet by default: they name no agency, no police and
nothing of the report, because a phone may be watched by the employer or the agent. Only someone
who says "I can read messages safely" gets the detailed ones."""

from __future__ import annotations

from flows.conversation import Turn, global_button
from flows.events import NoticesChosen
from flows.text import M

NOTICES = "notices"
SAFE, DISCREET = "safe", "discreet"


def is_notice_button(action: str) -> bool:
    return action == NOTICES or action.startswith(f"{NOTICES}.")


def on_notice_button(t: Turn, action: str) -> None:
    choice = action.partition(".")[2]
    if not choice:
        show(t)
    elif choice in (SAFE, DISCREET):
        choose(t, choice == SAFE)
    else:
        t.say(M("That button is no longer active."), buttons=[[global_button("menu", M("Menu"))]])


def show(t: Turn) -> None:
    if t.st.reads_safely:
        t.say(
            M("Our messages may name the agency and your report, because you said you can read them safely."),
            buttons=[
                [global_button(f"{NOTICES}.{DISCREET}", M("Make them discreet"))],
                [global_button("menu", M("Menu"))],
            ],
        )
        return
    t.say(
        M(
            "Our messages are discreet: when we write without you asking (for example a reminder), "
            "we do not name the agency, the police or your report. This is safer if someone else may "
            "see your phone."
        ),
        buttons=[
            [global_button(f"{NOTICES}.{SAFE}", M("I can read messages safely"))],
            [global_button(f"{NOTICES}.{DISCREET}", M("Keep them discreet"))],
        ],
    )


def choose(t: Turn, reads_safely: bool) -> None:
    if reads_safely != t.st.reads_safely:
        t.st.reads_safely = reads_safely
        t.emit(NoticesChosen(reads_safely))
    t.say(
        M("Saved. Our messages may now name the agency and your report. You can change this in /menu.")
        if reads_safely
        else M("Saved. Our messages stay discreet."),
        buttons=[[global_button("menu", M("Menu"))]],
    )
