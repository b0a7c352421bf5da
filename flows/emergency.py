"""Danger words that interrupt any flow, and the emergency card built from the contacts data."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any

from flows.contacts import Contacts
from flows.conversation import GLOBAL, Turn, global_button
from flows.events import EmergencyShown
from flows.incoming import AttachmentIn, ChoiceIn, CommandIn, Incoming, TextIn
from flows.menu import canonical
from flows.replies import Button, Urgency
from flows.state import State
from flows.text import M, Msg, Text
from flows.thread import BURST
from flows.vocab import COUNTRIES, country_label

# Words that signal immediate danger. "tolong" (please / help) is deliberately absent: it starts
# many polite requests and only counts alongside one of these.
TRIGGERS: tuple[str, ...] = (
    "darurat",
    "sos",
    "disekap",
    "dikurung",
    "dikunci",
    "dipukul",
    "dipukuli",
    "disiksa",
    "dianiaya",
    "diperkosa",
    "diculik",
    "bunuh diri",
    "help me",
    "trapped",
    "locked",
    "beaten",
    "raped",
    "kidnapped",
    "kill myself",
    "suicide",
    "emergency",
)
_NON_LETTERS = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return " " + _NON_LETTERS.sub(" ", plain).strip() + " "


def danger_words(text: str) -> tuple[str, ...]:
    """The trigger words found in ``text``, as whole words or phrases, in a stable order."""
    norm = normalise(text)
    return tuple(t for t in TRIGGERS if f" {t} " in norm)


# The global emergency button (the menu's "Emergency", the card's own).
EMERGENCY_BUTTON = f"{GLOBAL}.darurat"


def danger_in(incoming: Incoming) -> tuple[str, ...]:
    """The danger words of what a person sent: a text's, or the caption of a file (a caption is
    words, never a command, even when it starts with "/"). Commands and buttons carry none."""
    if isinstance(incoming, TextIn):
        return danger_words(incoming.text)
    if isinstance(incoming, AttachmentIn):
        return danger_words(incoming.caption)
    return ()


def asks_for_help_now(incoming: Incoming) -> bool:
    """The one urgency decision, for the engine (which answers with the emergency card) and for
    the backlog of fetched updates (which serves this person first): /darurat, the emergency
    button, or words of danger in a text or under a file."""
    if isinstance(incoming, CommandIn):
        return canonical(incoming.name) == "darurat"
    if isinstance(incoming, ChoiceIn):
        return incoming.data == EMERGENCY_BUTTON
    return bool(danger_in(incoming))


_SERVICE_LABELS: dict[str, Msg] = {
    "police": M("Police"),
    "ambulance": M("Ambulance"),
    "emergency": M("Emergency"),
    "foreign_worker_hotline": M("Foreign worker hotline"),
    "immigration": M("Immigration / foreign residents"),
    "tourist_police": M("Tourist police"),
    "polri": M("Polri (in Indonesia)"),
    "kp2mi_tollfree": M("KP2MI toll-free (from Indonesia)"),
    "kp2mi_abroad": M("KP2MI (from abroad)"),
    "kp2mi_whatsapp": M("KP2MI WhatsApp"),
    "kemnaker": M("Kemnaker call centre"),
    "lapor": M("LAPOR! complaints portal"),
    "kp2mi_registry": M("Official list of licensed companies (KP2MI)"),
}
_CARD_NATIONAL = ("kp2mi_abroad", "kp2mi_whatsapp", "kp2mi_tollfree", "polri")


def card_lines(contacts: Contacts, country: str | None) -> list[Text]:
    """The numbers to show first: the local emergency services of the person's country, then
    KP2MI's crisis channels and Polri, then the Indonesian mission there when one is configured."""
    lines: list[Text] = [M("<b>If you are in danger now:</b>")]
    local = contacts.for_country(country)
    name = country_label(country)
    if local is not None and name is not None:
        for num in local.emergency:
            lines.append(
                M(
                    "• {service} {country}: {number}",
                    service=_SERVICE_LABELS[num.service],
                    country=name,
                    number=num.number,
                )
            )
    for service in _CARD_NATIONAL:
        for num in contacts.national:
            if num.service == service:
                lines.append(M("• {service}: {number}", service=_SERVICE_LABELS[service], number=num.number))
    if local is not None:
        for mission in local.missions:
            lines.append(M("• {mission}: {number}", mission=mission.name, number=mission.phone))
    if country is None:
        lines.append(M("Tell us the country you are in to see its local emergency number."))
    elif (local is None or not local.emergency) and name is not None and country != "ID":
        # Said rather than left out, so that nobody searches the card for a number that is not there.
        lines.append(M("We have no checked local emergency number for {country} yet.", country=name))
    return lines


# -- the card in a conversation ----------------------------------------------------------------
CARD_COUNTRY = "ecountry"  # global button g.ecountry.<code>; "other" asks for the name


def emergency_country(st: State) -> str | None:
    """The country the person is in: the report's answer when it names one, else the one their
    danger words named, else the last known."""
    if st.flow in ("report", "assist") and st.data.get("country") not in (None, "other"):
        return str(st.data["country"])
    return st.card_place or st.country


def _answered(st: State, country: str) -> bool:
    """Whether the person gave this country (a report's answer, a tap), not only named it."""
    return country == st.country or (st.flow in ("report", "assist") and st.data.get("country") == country)


def show_emergency(t: Turn, joined: str | None = None) -> None:
    """The emergency card. ``joined`` is the ticket the danger message was just added to: it is
    urgent for the officers already, so the card offers no second report."""
    st = t.st
    country = emergency_country(st)
    t.emit(EmergencyShown(country, t.ctx.now))
    lines = card_lines(t.ctx.contacts, country)
    in_flow = st.flow in ("report", "assist")
    if joined is not None:
        lines.append(M("Your message has been passed on to the officers as urgent ({ref}).", ref=joined))
        buttons = [[global_button("menu", M("Menu"))]]
        st.card_open = st.card_listens = False
        st.card_place = None  # used for this card; the words are in the ticket's thread
    else:
        if in_flow:
            lines.append(M("Your unfinished report is kept."))
        st.card_open = True
        st.card_listens = not in_flow  # in a report, the report's steps keep what follows
        buttons = card_buttons(st)
    if country is None or not _answered(st, country):
        # Also when the country was only read from the words: a tap corrects a wrong reading.
        buttons += [
            [global_button(f"{CARD_COUNTRY}.{c.id}", c.label) for c in COUNTRIES[i : i + 3]]
            for i in range(0, len(COUNTRIES), 3)
        ]
    t.say(*lines, buttons=buttons, urgency=Urgency.EMERGENCY)


def card_buttons(st: State) -> list[list[Button]]:
    """The card's own: the urgent report, then back to where the person was."""
    buttons = [[global_button("urgent", M("Send as URGENT report"))]]
    if st.flow is not None:
        buttons.append([global_button("resume", M("Continue where I was"))])
    else:
        buttons.append([global_button("menu", M("Menu"))])
    return buttons


def card_words(st: State) -> list[str]:
    """What the person wrote for the urgent report outside a report, in the order sent."""
    return [str(kept["text"]) for kept in st.card_story if kept.get("text")]


def card_location(st: State) -> list[float] | None:
    """The last place the person sent after the card, for the ticket's map point."""
    places = [kept["location"] for kept in st.card_story if kept.get("location")]
    return [float(x) for x in places[-1]] if places else None


def keep_for_card(
    t: Turn, text: str, evidence: dict[str, Any] | None = None, location: list[float] | None = None
) -> None:
    """Words (or a place, a contact, a file) sent after the card instead of a tap: kept for the
    urgent report and said so, with the card's buttons again. One acknowledgement per burst: a
    frightened person writes in several messages, and each answered would delay the next."""
    st, now = t.st, t.ctx.now
    last = st.card_story[-1] if st.card_story else None
    quiet = last is not None and _within(last.get("at"), now)
    if location is not None:
        st.card_story.append({"text": text.strip(), "at": now.isoformat(), "location": location})
    elif text.strip():
        st.card_story.append({"text": text.strip(), "at": now.isoformat()})
    elif last is not None:
        last["at"] = now.isoformat()
    else:
        st.card_story.append({"text": "", "at": now.isoformat()})
    if evidence is not None:
        st.card_files.append(evidence)
    if quiet:
        return
    t.say(
        M("I have kept this with your urgent message."),
        M("To send it all to the officers now, press “Send as URGENT report”."),
        buttons=card_buttons(st),
        urgency=Urgency.URGENT,
    )


def _within(at: object, now: datetime) -> bool:
    if not isinstance(at, str):
        return False
    try:
        return now - datetime.fromisoformat(at) < BURST
    except ValueError:
        return False


def card_country(t: Turn, code: str) -> None:
    """A country pressed (or typed) on the card: its numbers at once, and not asked again in the
    report that follows."""
    st = t.st
    if code == "other":
        st.card_asks_country = True
        t.say(M("Which country are you in? Please type its name."), urgency=Urgency.EMERGENCY)
        return
    st.country = st.card_country = code
    st.card_place = None  # pressed: an answer, over what the words seemed to say
    if st.flow in ("report", "assist") and st.data.get("country") in (None, "other"):
        st.data["country"] = code
    show_emergency(t)


def service_label(service: str) -> Msg:
    return _SERVICE_LABELS.get(service, M("Emergency"))
