"""Conversation state: plain JSON-able data, saved after every step so a restart loses nothing."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class State:
    """Where one person is in the conversation, and what they have entered so far.

    ``data`` holds the answers of the flow in progress; ``paused`` keeps a flow aside while the
    emergency card is shown, so nothing already entered is lost. ``turn`` numbers the questions:
    buttons carry it, which is how a press on an old message is recognised as stale.

    Outside a flow, what the person sends joins a ticket's thread: ``thread_ref`` is the ticket
    they are talking about (remembered once known), ``thread_at`` when their last message joined
    it (ISO time; the acknowledgement is once per burst), and ``pending`` holds messages waiting
    for them to say which of several open tickets they are about.
    """

    lang: str = "id"
    lang_chosen: bool = False
    consent: bool = False
    # The privacy notice agreed to (Context.privacy_version then). The service sets it from the
    # user row on every load, which is where consent is recorded; None where nobody knows.
    consent_version: str | None = None
    role: str | None = None
    country: str | None = None
    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    turn: int = 0
    paused: dict[str, Any] | None = None
    emergency_seen: list[str] = field(default_factory=list)
    misunderstood: int = 0
    after_onboarding: str | None = None
    prefill: dict[str, Any] | None = None
    card_open: bool = False
    card_country: str | None = None  # chosen on the emergency card: the next report's country
    card_asks_country: bool = False  # "other country" pressed on the card: the next text names it
    # Outside a report, what the person sends while the card waits for their tap is kept here for
    # the urgent report (a report keeps it in its own data): each danger message and the words,
    # places and contacts after it as {"text", "at"} ("at" is set on words the card did not
    # answer, for one acknowledgement per burst), files as evidence. ``card_listens`` is true while
    # the card is the last thing the bot said: a command or a button press ends it, not the keeping.
    card_story: list[dict[str, Any]] = field(default_factory=list)
    card_files: list[dict[str, Any]] = field(default_factory=list)
    card_listens: bool = False
    # The country the danger words named ("disekap di kamboja"): the card's numbers, and a detail
    # of the urgent ticket, never its answered country. Kept while the card waits for its tap.
    card_place: str | None = None
    thread_ref: str | None = None
    thread_at: str | None = None
    pending: list[dict[str, Any]] = field(default_factory=list)
    reads_safely: bool = False  # the /menu notice setting, as stored on the user row

    def to_dict(self) -> dict[str, Any]:
        """A deep copy as plain data. Twice per update (the engine's working copy, and what is
        saved), so not ``dataclasses.asdict``, which costs several times more on these dicts."""
        return {name: _copied(getattr(self, name)) for name in _FIELDS}

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> State:
        """Unknown keys (from a newer or older version) are dropped rather than crashing."""
        if not raw:
            return cls()
        return cls(**{k: v for k, v in raw.items() if k in _FIELDS})

    def clear_flow(self) -> None:
        self.flow, self.step, self.data, self.paused = None, None, {}, None


_FIELDS = tuple(f.name for f in fields(State))
_SCALARS = (str, int, float, bool, type(None))


def _copied(value: Any) -> Any:
    """A deep copy of JSON-shaped data (dicts, lists, scalars); anything else by ``deepcopy``."""
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return copy.deepcopy(value)
