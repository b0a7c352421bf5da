"""Property tests of the engine: whatever arrives, in whatever order, ``step`` answers and never
raises, keeps its state JSON-serialisable, only shows buttons Telegram can carry and the engine
will accept, and ignores garbage callback data without touching the conversation.

Bounded (200 examples) and derandomised, so a run is deterministic and quick."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.checkin import is_care_button
from flows.emergency import TRIGGERS
from flows.events import ConsentGiven, Event, ReporterMessageAdded, TicketOpened
from flows.incoming import (
    AttachmentIn,
    ChoiceIn,
    CommandIn,
    ContactIn,
    Incoming,
    LocationIn,
    TextIn,
)
from flows.menu import ALIASES, COMMANDS
from flows.vocab import ASSIST_CATEGORIES, COUNTRIES, REPORT_CATEGORIES
from tests.support.chat import Chat
from tests.support.steps import onboard

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

GLOBAL_ACTIONS = {
    "urgent",
    "resume",
    "report_recruiter",
    "ask_officer",
    "cek",
    "lapor",
    "bantuan",
    "status",
    "info",
    "darurat",
    "bahasa",
    "menu",
    "notices",
    "notices.safe",
    "notices.discreet",
    "lang.id",
    "lang.en",
    *(f"ecountry.{c.id}" for c in COUNTRIES),
}
CHOICE_IDS = sorted(
    {
        "send",
        "edit",
        "cancel",
        "done",
        "later",
        "skip",
        "yes",
        "no",
        "unsure",
        "self",
        "other",
        "chat",
        "phone",
        "agree",
        "decline",
        "worker",
        "family",
        "prospective",
        "check",
        "none",
        "0",
        "1",
        "2",
        "add",
        "back",
        "officer",
        "topics",
        "erase",
        "keep",
        "procedure",
        "costs",
        "edit:description",
        "edit:contact",
        "edit:category",
        "ref:PMI-0000-0000",
        *(o.id for o in (*REPORT_CATEGORIES, *ASSIST_CATEGORIES, *COUNTRIES)),
    }
)


safe_text = st.text(max_size=40)

texts = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "Johor Bahru",
            "tolong bantu saya",
            "PT Bintang Samudra",
            "cahaya fiktif",
            "SIP3MI-T-0417",
            "+60 12 345 6789",
            "",
            "   ",
            "x" * 5_000,
        ]
    ),
    st.sampled_from(TRIGGERS).map(lambda w: f"tolong saya {w}"),
).map(TextIn)
commands = st.builds(
    CommandIn,
    st.one_of(st.sampled_from([*COMMANDS, *ALIASES, "officer", "foo", ""]), st.text(max_size=20)),
    st.one_of(st.just(""), st.text(max_size=50)),
)
callbacks = st.one_of(
    safe_text,
    st.sampled_from(sorted(GLOBAL_ACTIONS)).map(lambda a: f"g.{a}"),
    st.builds(lambda n, c: f"{n}.{c}", st.integers(0, 80), st.sampled_from(CHOICE_IDS) | safe_text),
    st.sampled_from(["", "x", "g.", ".", "999999.send", "g.lang.xx", "x" * 200]),
).map(ChoiceIn)
locations = st.builds(LocationIn, st.floats(-90, 90), st.floats(-180, 180))
attachments = st.builds(
    AttachmentIn,
    st.sampled_from(["photo", "document", "voice", "video", "audio"]),
    st.text(min_size=1, max_size=30),
    st.none() | st.sampled_from(["image/jpeg", "audio/ogg", "application/pdf"]),
    st.none() | st.integers(0, 50_000_000),
    st.none() | st.text(max_size=30),
)
contacts = st.builds(ContactIn, st.text(max_size=20))

# "press" picks one of the buttons just shown, so that conversations get deep into the flows.
Action = tuple[str, Any]
presses = st.tuples(st.just("press"), st.integers(0, 40))
actions: st.SearchStrategy[Action] = st.one_of(
    presses,
    presses,
    presses,
    st.tuples(st.just("send"), texts | commands | callbacks | locations | attachments | contacts),
)
conversations = st.tuples(st.booleans(), st.lists(actions, min_size=15, max_size=40))


def to_incoming(chat: Chat, action: Action) -> Incoming | None:
    kind, value = action
    if kind == "send":
        return value  # type: ignore[no-any-return]
    if chat.last is None or not chat.buttons():
        return None
    buttons = chat.buttons()
    return ChoiceIn(buttons[value % len(buttons)].data)


def is_garbage(data: str, turn: int) -> bool:
    """Callback data no button of the current question could carry."""
    prefix, _, rest = data.partition(".")
    if prefix == "g":
        return rest not in GLOBAL_ACTIONS and not is_care_button(rest) and not rest.startswith("thread.")
    return not (prefix.isdecimal() and len(prefix) < 10 and int(prefix) == turn)


def kept_quietly(incoming: Incoming, result: Any) -> bool:
    """Only the first message of a burst is answered; the next ones must then be kept: in a
    ticket's thread, in the story or notes of the report being written, or with the emergency
    card's urgent report."""
    if any(isinstance(e, ReporterMessageAdded) for e in result.events):
        return True
    story, files = result.state.card_story, result.state.card_files
    if isinstance(incoming, LocationIn):
        return any(k.get("location") == [incoming.latitude, incoming.longitude] for k in story)
    if isinstance(incoming, ContactIn):
        return any(incoming.phone in str(k["text"]) for k in story)
    if isinstance(incoming, AttachmentIn):
        return any(f["file_id"] == incoming.file_id for f in files)
    if not isinstance(incoming, TextIn) or not incoming.text.strip():
        return False
    data = result.state.data
    kept = [
        str(data.get("description") or ""),
        *(str(n) for n in data.get("notes") or ()),
        *(str(k["text"]) for k in result.state.card_story),
    ]
    return any(incoming.text.strip() in text for text in kept)


def essentials(state_json: dict[str, Any]) -> tuple[Any, ...]:
    return state_json["flow"], state_json["step"], state_json["data"]


def play(start_onboarded: bool, script: list[Action], check: Any) -> None:
    chat = Chat()
    if start_onboarded:
        onboard(chat)
    for action in script:
        incoming = to_incoming(chat, action)
        if incoming is None:
            continue
        before = json.loads(json.dumps(chat.state_json))
        result = chat.send(incoming, repr(incoming)[:80])
        check(chat, incoming, before, result)


@SETTINGS
@given(conversations)
def test_any_conversation_is_answered_and_stays_serialisable(
    conversation: tuple[bool, list[Action]],
) -> None:
    def check(chat: Chat, incoming: Incoming, before: dict[str, Any], result: Any) -> None:
        assert result.replies or kept_quietly(incoming, result), f"no reply to {incoming!r}"
        json.dumps(result.state.to_dict(), allow_nan=False)
        assert all(isinstance(event, Event) for event in result.events)

    play(*conversation, check)


@SETTINGS
@given(conversations)
def test_garbage_callback_data_never_changes_the_conversation(
    conversation: tuple[bool, list[Action]],
) -> None:
    def check(chat: Chat, incoming: Incoming, before: dict[str, Any], result: Any) -> None:
        if isinstance(incoming, ChoiceIn) and is_garbage(incoming.data, before["turn"]):
            assert essentials(chat.state_json) == essentials(before), incoming
            assert not result.events

    play(*conversation, check)


@SETTINGS
@given(conversations)
def test_every_button_shown_fits_telegram_and_is_live(
    conversation: tuple[bool, list[Action]],
) -> None:
    def check(chat: Chat, incoming: Incoming, before: dict[str, Any], result: Any) -> None:
        state = result.state
        for reply in result.replies:
            for row in reply.buttons:
                for button in row:
                    assert len(button.data.encode("utf-8")) <= 64, button.data
                    prefix, _, rest = button.data.partition(".")
                    if prefix == "g":
                        assert rest in GLOBAL_ACTIONS or is_care_button(rest) or rest.startswith("thread."), (
                            button.data
                        )
                        continue
                    assert state.flow is not None, button.data
                    assert prefix == str(state.turn), (button.data, state.turn)

    play(*conversation, check)


@SETTINGS
@given(st.lists(st.tuples(st.just("send"), texts | commands | callbacks), max_size=15))
def test_before_consent_only_the_urgent_report_opens_a_ticket(
    script: list[Action],
) -> None:
    """Without consent no ticket is opened except the one-tap urgent report, which asks for it."""

    def check(chat: Chat, incoming: Incoming, before: dict[str, Any], result: Any) -> None:
        if not before["consent"] and any(isinstance(e, TicketOpened) for e in result.events):
            assert incoming == ChoiceIn("g.urgent")
            assert any(isinstance(e, ConsentGiven) for e in result.events)

    play(False, script, check)
