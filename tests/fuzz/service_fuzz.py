"""A bounded, hypothesis-driven fuzzer of the service (``bot.service.Helpline``, the core both
Telegram runtimes call), over every flow step, on SQLite and PostgreSQL.

Each example starts from an empty database (migrated once per run) and plays a list of actions:
three people send texts (unicode, emoji, huge, empty, HTML-like), commands, photos, documents,
locations and contacts, press the buttons just shown or stale ones, or walk through onboarding
and a whole report; four officers (Polri PPA-PPO, KP2MI, Imigrasi, and someone registered nowhere)
press card buttons in their own and in other agencies' chats, answer, view, act and merge from the
console; time jumps and the scheduler runs. After every action the replies are checked against
Telegram's limits and for other people's data; after every example the database is checked.

An exception or a broken invariant fails the example; hypothesis then shrinks it to the shortest
input it can find, which the report prints. Run with ``make fuzz`` (``python -m tests.fuzz``);
tests/fuzz/test_fuzz.py runs a few hundred inputs in the normal suite so that this keeps working."""

from __future__ import annotations

import base64
import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from sqlalchemy import Engine, MetaData, text
from sqlmodel import col, select

from bot.config import Settings
from bot.outgoing import Outgoing
from bot.privacy import Flood, FloodGuard
from bot.scheduler import run_due_work
from bot.service import Helpline
from flows import ticket_rules
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
from flows.reference import PATTERN
from flows.state import State
from flows.vocab import REPORT_CATEGORIES
from storage.db import make_engine, migrate
from storage.tables import OutboxRow, TicketRow, UserRow
from storage.uow import UnitOfWork
from tests.fakebotapi.markup import EntityParseError, parse_html, utf16_len
from tests.support.memory import shipped_sample
from tests.support.service import KP2MI_CHAT, PPA_CHAT, Clock

# Telegram's limits (Bot API: sendMessage, InlineKeyboardButton, answerCallbackQuery).
TEXT_LIMIT = 4096  # UTF-16 code units of the text after entity parsing
CAPTION_LIMIT = 1024  # the bot sends no captions (Outgoing has none); kept for the report
CALLBACK_DATA_BYTES = 64
BUTTONS_LIMIT = 100
CALLBACK_ANSWER_LIMIT = 200  # characters of an answerCallbackQuery text (a staff button's answer)

PEOPLE = (5001, 5002, 5003)
# (telegram id, agency it is registered for or None, its staff chat or None)
OFFICERS: tuple[tuple[int, str | None], ...] = (
    (7001, "ppa-ppo"),
    (7002, "kp2mi"),
    (7003, "imigrasi"),
    (7009, None),
)
STAFF_CHATS = (PPA_CHAT, KP2MI_CHAT)
ESCALATION_CHAT = -1009
DATA_KEY = base64.urlsafe_b64encode(bytes(range(32))).decode()


def canary(person: int) -> str:
    """A word only ``person`` ever types: seen in another person's chat, it is a leak."""
    return f"Kanari{person}x"


# -- the inputs ------------------------------------------------------------------------------------
HOSTILE = [
    "",
    " ",
    "\n\n\t",
    "x" * 5_000,
    "&" * 4_000,  # 5 characters each once escaped for HTML
    "<b>" * 1_500,
    "😀" * 3_000,  # two UTF-16 units each
    "👨‍👩‍👧‍👦" * 500,
    '<a href="tg://user?id=1">x</a> <script>alert(1)</script>',
    "</b></i></code>&amp;&lt;&#x1F600;&#0;",
    "'); DROP TABLE tickets; --",
    "\u202eRTL\u200b\u200d\ufeff",
    "broken \ud800 surrogate \x00 nul",
    "tolong saya disekap",
    "tolong bantu saya",
    "PMI-0000-0000",
    "pmi 7k2q 9xd3",
    "Johor Bahru",
    "+60 12 345 6789",
    "PT Bintang Samudra Karya",
    "SIP3MI-T-0417",
    "/start",
]
texts = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=6000),
    st.sampled_from(HOSTILE),
)
command_names = st.one_of(
    st.sampled_from(sorted({*COMMANDS, *ALIASES, "officer", "lihat", "reply", "foo", ""})),
    st.text(max_size=20),
)
callback_data = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["", ".", "g.", "g.lang.xx", "g.urgent", "g.menu", "999999.send", "x" * 300]),
    st.builds(lambda n, c: f"{n}.{c}", st.integers(-1, 99), st.text(max_size=20)),
)
incoming: st.SearchStrategy[Incoming] = st.one_of(
    st.builds(TextIn, texts),
    st.builds(CommandIn, command_names, st.one_of(st.just(""), texts)),
    st.builds(ChoiceIn, callback_data),
    st.builds(LocationIn, st.floats(-90, 90), st.floats(-180, 180)),
    st.builds(LocationIn, st.floats(allow_nan=True), st.floats(allow_infinity=True)),
    st.builds(ContactIn, st.one_of(st.text(max_size=30), st.sampled_from(["+60123456789", ""]))),
    st.builds(
        AttachmentIn,
        st.sampled_from(["photo", "document", "voice", "video", "audio", "sticker"]),
        st.text(min_size=1, max_size=120),
        st.none() | st.sampled_from(["image/jpeg", "application/pdf", "x" * 200]),
        st.none() | st.integers(-1, 2**42),
        st.none() | st.text(max_size=400),
        st.one_of(st.just(""), texts),
    ),
)
CATEGORIES = [o.id for o in REPORT_CATEGORIES]
# What a report's story may be: short, or as long and as heavy to escape as a message can be.
stories = st.one_of(
    st.just("Paspor saya ditahan <b>&"),
    st.sampled_from(["x" * 4096, "&" * 4096, "<" * 4096, "😀" * 2048, "a\n" * 2048]),
    texts,
)
person = st.integers(0, len(PEOPLE) - 1)
officer = st.integers(0, len(OFFICERS) - 1)
index = st.integers(0, 200)
CONSOLE_ACTIONS = ["take", "close", "resolve", "reopen", "assign", "transfer", "reply", "view", "x"]

Action = tuple[Any, ...]
actions: st.SearchStrategy[Action] = st.one_of(
    # People: most often a button just shown, so that conversations get deep into the flows.
    st.tuples(st.just("press"), person, index),
    st.tuples(st.just("press"), person, index),
    st.tuples(st.just("press"), person, index),
    st.tuples(st.just("stale"), person, index),
    st.tuples(st.just("send"), person, incoming),
    st.tuples(st.just("send"), person, incoming),
    st.tuples(st.just("canary"), person),
    st.tuples(st.just("onboard"), person, st.sampled_from(["en", "id"])),
    st.tuples(st.just("report"), person, st.sampled_from(CATEGORIES), st.booleans(), stories),
    # Officers.
    st.tuples(st.just("staff_press"), officer, st.booleans(), index),
    st.tuples(st.just("staff_press"), officer, st.just(True), index),
    st.tuples(st.just("staff_press"), officer, st.just(True), index),
    st.tuples(st.just("staff_press"), officer, st.just(True), index),
    st.tuples(st.just("staff_data"), officer, st.booleans(), callback_data),
    st.tuples(st.just("staff_reply"), officer, st.booleans(), index, texts),
    st.tuples(st.just("staff_reply"), officer, st.just(True), index, texts),
    st.tuples(st.just("staff_view"), officer, st.booleans(), index),
    st.tuples(
        st.just("console"),
        officer,
        st.sampled_from(CONSOLE_ACTIONS),
        index,
        st.sampled_from(["ppa-ppo", "kp2mi", "imigrasi", "nobody", ""]),
        texts,
    ),
    st.tuples(st.just("merge"), officer, index, index),
    # The owning agency's officer takes a ticket, answers it and maybe acts on it.
    st.tuples(
        st.just("handle"),
        index,
        texts,
        st.sampled_from(["", "resolve", "close", "reopen", "transfer", "take"]),
    ),
    st.tuples(st.just("handle"), index, st.just("Di mana Anda sekarang?"), st.just("")),
    # Time passes: reminders, escalation, auto-close and check-ins fall due.
    st.tuples(st.just("wait"), st.sampled_from([1, 5, 30, 60 * 5, 60 * 25, 60 * 24 * 8])),
)
# A prelude of whole reports (so that officers have tickets to act on), then anything.
preludes = st.lists(
    st.tuples(st.just("report"), person, st.sampled_from(CATEGORIES), st.booleans(), stories), max_size=3
)
scripts = st.builds(lambda a, b: a + b, preludes, st.lists(actions, min_size=1, max_size=50))


# -- findings --------------------------------------------------------------------------------------
class InvariantBroken(AssertionError):
    """A broken invariant; ``kind`` names it (the report groups by it)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


class LoggedException(RuntimeError):
    """An exception the code caught and logged (the scheduler keeps going after one)."""


@dataclass
class Finding:
    kind: str  # "exception" or "invariant"
    name: str  # the exception type, or the invariant's kind
    message: str
    example: str  # the shortest failing input hypothesis found


@dataclass
class Tally:
    database: str
    inputs: int = 0
    examples: int = 0
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)
    steps: set[str] = field(default_factory=set)  # flow.step where a conversation was left
    tickets: int = 0

    @property
    def exceptions(self) -> list[Finding]:
        return [f for f in self.findings if f.kind == "exception"]

    @property
    def invariant_breaks(self) -> list[Finding]:
        return [f for f in self.findings if f.kind == "invariant"]


class _ExceptionLog(logging.Handler):
    """Keeps every record logged with an exception, from any logger."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.records.append(record)


# -- one world per database --------------------------------------------------------------------------
@dataclass
class Seen:
    """What this example has shown so far: the buttons and the references."""

    shown: dict[int, list[str]] = field(default_factory=dict)  # person -> newest buttons
    ever: dict[int, list[str]] = field(default_factory=dict)  # person -> every button
    staff: dict[int, list[str]] = field(default_factory=dict)  # staff chat -> every button
    refs: list[str] = field(default_factory=list)


class World:
    """The service on one database, reset to empty before each example."""

    def __init__(self, db: Engine, tally: Tally) -> None:
        self.db, self.tally = db, tally
        metadata = MetaData()
        metadata.reflect(db)
        self.tables = [t.name for t in reversed(metadata.sorted_tables) if t.name != "alembic_version"]
        self.settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            helpline_staff_chat_kp2mi=KP2MI_CHAT,
            helpline_staff_chat_ppa_ppo=PPA_CHAT,
            helpline_escalation_chat=ESCALATION_CHAT,
            helpline_data_key=DATA_KEY,
        )
        self.helpline = Helpline(db, self.settings, registry=shipped_sample())
        self.exception_log = _ExceptionLog()
        self.flood: Flood = Flood.OK
        self.seen = Seen()
        self.updates = 0

    # -- per example ------------------------------------------------------------------------
    def reset(self) -> None:
        with self.db.begin() as connection:
            if self.db.dialect.name == "postgresql":
                names = ", ".join(f'"{t}"' for t in self.tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in self.tables:
                    connection.execute(text(f'DELETE FROM "{table}"'))
        h = self.helpline
        clock = Clock()
        rng = random.Random(3)
        counter = iter(range(1, 10**9))
        h.clock, h.random_bytes = clock, rng.randbytes
        h.new_id = lambda: f"f{next(counter)}"
        guard = FloodGuard.from_settings(self.settings)
        check = guard.check

        def recording(key: int, now: Any) -> Flood:
            self.flood = check(key, now)
            return self.flood

        guard.check = recording  # type: ignore[method-assign]
        h.flood = guard
        self.seen = Seen()
        self.updates = 0
        with UnitOfWork(self.db) as uow:
            for telegram_id, agency in OFFICERS:
                if agency is not None:
                    uow.staff.add(telegram_id, agency, f"Petugas {telegram_id}", clock())
            uow.commit()

    def play(self, script: list[Action]) -> None:
        self.reset()
        self.tally.examples += 1
        try:
            for action in script:
                self.do(action)
            check_database(self)
        except Exception as error:
            # The last example hypothesis plays before raising is the shortest it found.
            error.add_note("script:\n" + "\n".join(f"  {_short(a)}" for a in script))
            raise

    # -- people -----------------------------------------------------------------------------
    def send(self, who: int, message: Incoming) -> list[Outgoing]:
        self.tally.inputs += 1
        self.updates += 1
        telegram_id = PEOPLE[who]
        self.flood = Flood.OK
        out = self._guarded(
            lambda: self.helpline.handle(
                telegram_id, message, update_id=self.updates, message_id=self.updates
            )
        )
        self.look(out, sender=telegram_id)
        buttons = [data for m in out if m.chat_id == telegram_id for row in m.buttons for _, data in row]
        if buttons:
            self.seen.shown[who] = buttons
            self.seen.ever.setdefault(who, []).extend(buttons)
        if not out and self.flood is Flood.OK and not isinstance(message, ChoiceIn):
            raise InvariantBroken("silent", f"no answer to {type(message).__name__}")
        return out

    def press_choice(self, who: int, choice: str) -> bool:
        """Press the shown button whose choice id (after the turn prefix) is ``choice``."""
        for data in self.seen.shown.get(who, []):
            if data.split(".", 1)[-1] == choice:
                self.send(who, ChoiceIn(data))
                return True
        return False

    def onboard(self, who: int, lang: str) -> None:
        self.send(who, CommandIn("start"))
        self.send(who, ChoiceIn(f"g.lang.{lang}"))
        self.press_choice(who, "agree") and self.press_choice(who, "worker")

    def report(self, who: int, category: str, in_danger: bool, story: str) -> None:
        self.send(who, CommandIn("lapor"))
        # Onboarding first when needed: the report goes on after it.
        steps = ("lang.en", "agree", "worker", category, "yes" if in_danger else "no", "resume", "self", "MY")
        for choice in steps:
            self.press_choice(who, choice)
        self.send(who, TextIn("Johor Bahru"))
        self.send(who, TextIn(f"{canary(PEOPLE[who])} {story}"))
        for choice in ("skip", "chat", "send"):
            self.press_choice(who, choice)

    # -- officers ---------------------------------------------------------------------------
    def chat_of(self, who: int, own: bool) -> int:
        agency = OFFICERS[who][1]
        chats = self.helpline.staff_chats
        if own and agency in chats:
            return chats[agency]
        return STAFF_CHATS[who % len(STAFF_CHATS)] if own else STAFF_CHATS[(who + 1) % len(STAFF_CHATS)]

    def ref(self, index: int) -> str:
        refs = self.seen.refs
        garbage = ["PMI-0000-0000", "", "pmi-" + "x" * 40]
        pool = refs + [r.lower() for r in refs[:1]] + garbage
        return pool[index % len(pool)]

    def staff(self, call: Callable[[], tuple[str | None, list[Outgoing]]], *, callback: bool) -> None:
        self.tally.inputs += 1
        answer, out = self._guarded(call)
        if answer is not None:
            limit = CALLBACK_ANSWER_LIMIT if callback else TEXT_LIMIT
            if len(answer) > limit:
                raise InvariantBroken("answer too long", f"{len(answer)} > {limit}")
        self.look(out, sender=None)

    def do(self, action: Action) -> None:
        kind, who, *rest = action
        h = self.helpline
        if kind == "press":
            shown = self.seen.shown.get(who)
            if shown:
                self.send(who, ChoiceIn(shown[rest[0] % len(shown)]))
        elif kind == "stale":
            ever = self.seen.ever.get(who) or [b for bs in self.seen.ever.values() for b in bs]
            if ever:
                self.send(who, ChoiceIn(ever[rest[0] % len(ever)]))
        elif kind == "send":
            self.send(who, rest[0])
        elif kind == "canary":
            self.send(who, TextIn(f"{canary(PEOPLE[who])} nama saya, +60 12 345 6789"))
        elif kind == "onboard":
            self.onboard(who, rest[0])
        elif kind == "report":
            self.report(who, rest[0], rest[1], rest[2])
        elif kind == "handle":
            self.handle(who, rest[0], rest[1])
        elif kind == "wait":
            self.wait(timedelta(minutes=who))
        else:
            self.officer(kind, who, rest, h)

    def handle(self, i: int, words: str, then: str) -> None:
        """As an agency would: its officer takes the ticket in its chat, answers, then acts."""
        refs = self.seen.refs
        if not refs:
            return
        ref = refs[i % len(refs)]
        h = self.helpline
        with UnitOfWork(h.db) as uow:
            ticket = uow.tickets.get(ref)
            owner = ticket.owner if ticket is not None else None
        chat = h.staff_chats.get(owner or "")
        telegram_id = next((t for t, agency in OFFICERS if agency == owner), None)
        if chat is None or telegram_id is None:
            return
        for data in (f"s.take.{ref}", None, f"s.{then}.{ref}" if then else None):
            self.updates += 1
            update = 10**6 + self.updates
            if data is None and words is not None:
                self.staff(
                    lambda u=update: h.staff_reply(telegram_id, chat, words, ref=ref, update_id=u),
                    callback=False,
                )
            elif data is not None:
                self.staff(
                    lambda d=data, u=update: h.staff_press(telegram_id, chat, d, update_id=u), callback=True
                )

    def officer(self, kind: str, who: int, rest: list[Any], h: Helpline) -> None:
        telegram_id, agency = OFFICERS[who]
        self.updates += 1
        update = 10**6 + self.updates
        if kind == "staff_press":
            own, i = rest
            chat = self.chat_of(who, own)
            buttons = self.seen.staff.get(chat) or [b for bs in self.seen.staff.values() for b in bs]
            if buttons:
                data = buttons[i % len(buttons)]
                self.staff(lambda: h.staff_press(telegram_id, chat, data, update_id=update), callback=True)
        elif kind == "staff_data":
            own, data = rest
            chat = self.chat_of(who, own)
            self.staff(lambda: h.staff_press(telegram_id, chat, data, update_id=update), callback=True)
        elif kind == "staff_reply":
            own, i, words = rest
            chat, ref = self.chat_of(who, own), self.ref(i)
            self.staff(
                lambda: h.staff_reply(telegram_id, chat, words, ref=ref, update_id=update), callback=False
            )
        elif kind == "staff_view":
            own, i = rest
            chat, ref = self.chat_of(who, own), self.ref(i)
            self.staff(lambda: h.staff_view(telegram_id, chat, ref, update_id=update), callback=False)
        elif kind == "console":
            action, i, as_agency, words = rest
            ref, acting = self.ref(i), as_agency or agency or ""
            if action == "reply":
                self.staff(lambda: (h.staff_answer(telegram_id, acting, ref, words), []), callback=False)
            elif action == "view":
                return
            else:
                colleague = i % 5
                self.staff(
                    lambda: (
                        h.staff_act(
                            telegram_id, acting, action, ref, staff_id=colleague, to_agency=as_agency or None
                        )[0],
                        [],
                    ),
                    callback=False,
                )
        elif kind == "merge":
            source, target = self.ref(rest[0]), self.ref(rest[1])
            self.staff(
                lambda: (h.staff_merge(telegram_id, agency or "", source, target)[0], []), callback=False
            )

    def wait(self, how_long: timedelta) -> None:
        self.tally.inputs += 1
        clock = self.helpline.clock
        assert isinstance(clock, Clock)
        clock.now += how_long
        self._guarded(lambda: run_due_work(self.helpline, clock()))

    def _guarded(self, call: Callable[[], Any]) -> Any:
        """Run ``call``; an exception the code logged (and swallowed) counts as raised."""
        before = len(self.exception_log.records)
        result = call()
        if len(self.exception_log.records) > before:
            record = self.exception_log.records[-1]
            exc = record.exc_info[1] if record.exc_info else None
            raise LoggedException(f"logged by {record.name}: {type(exc).__name__}: {exc}") from exc
        return result

    # -- invariants -------------------------------------------------------------------------
    def look(self, out: list[Outgoing], sender: int | None) -> None:
        """Every message within Telegram's limits, and none to a person with another's words."""
        for message in out:
            if message.ticket_ref and message.ticket_ref not in self.seen.refs:
                self.seen.refs.append(message.ticket_ref)
            if message.chat_id in STAFF_CHATS:
                self.seen.staff.setdefault(message.chat_id, []).extend(
                    data for row in message.buttons for _, data in row
                )
            if message.chat_id in PEOPLE:
                for other in PEOPLE:
                    if other != message.chat_id and canary(other) in message.text:
                        raise InvariantBroken(
                            "other person's data", f"{other}'s words sent to another person"
                        )
            check_limits(message)


def check_limits(message: Outgoing) -> None:
    if message.kind == "delete_chat":
        return
    buttons = [b for row in message.buttons for b in row]
    if len(buttons) > BUTTONS_LIMIT:
        raise InvariantBroken("too many buttons", f"{len(buttons)} > {BUTTONS_LIMIT}")
    for label, data in buttons:
        size = len(data.encode("utf-8", "surrogatepass"))
        if not 1 <= size <= CALLBACK_DATA_BYTES:
            raise InvariantBroken("callback_data size", f"{size} bytes ({message.kind})")
        if not label.strip():
            raise InvariantBroken("empty button label", message.kind)
    for piece in message.pieces():
        try:
            parsed = parse_html(piece.text)
        except EntityParseError as error:
            raise InvariantBroken("unparsable HTML", f"{message.kind}: {error}") from None
        units = utf16_len(parsed.text)
        if units > TEXT_LIMIT:
            raise InvariantBroken("text too long", f"{units} UTF-16 units ({message.kind})")
        if not parsed.text.strip():
            raise InvariantBroken("empty text", message.kind)


def _ref_ok(ref: str) -> bool:
    return PATTERN.match(ref) is not None


def check_database(world: World) -> None:
    """References unique and well formed, every ticket with its reporter (unless erased), a known
    status and owner, and a card in its owner's staff chat; every conversation state readable."""
    h = world.helpline
    with UnitOfWork(h.db) as uow:
        tickets = list(uow.session.exec(select(TicketRow)))
        refs = [t.ref for t in tickets]
        world.tally.tickets += len(refs)
        if len(refs) != len(set(refs)):
            raise InvariantBroken("duplicate reference", "two tickets share a reference")
        codes = {a.code for a in h.agencies.items}
        for ticket in tickets:
            if not _ref_ok(ticket.ref):
                raise InvariantBroken("malformed reference", "a ticket's reference breaks the pattern")
            if ticket.reporter_user_id is None and ticket.anonymised_at is None:
                raise InvariantBroken("ticket without reporter", f"{ticket.status} ticket, not erased")
            if ticket.status not in ticket_rules.STATUSES:
                raise InvariantBroken("unknown status", ticket.status)
            if ticket.owner not in codes:
                raise InvariantBroken("unknown owner", ticket.owner)
            chat = h.staff_chats.get(ticket.owner)
            if chat is None:
                raise InvariantBroken("owner without staff chat", ticket.owner)
            card = uow.session.exec(
                select(OutboxRow.id).where(
                    col(OutboxRow.ticket_ref) == ticket.ref,
                    col(OutboxRow.kind) == "card",
                    col(OutboxRow.chat_id) == chat,
                )
            ).first()
            if card is None:
                raise InvariantBroken("ticket not in its owner's queue", f"owner {ticket.owner}")
        for user in uow.session.exec(select(UserRow)):
            try:
                raw, _ = uow.conversations.load(user.id or 0)
                if raw is not None:
                    state = State.from_dict(raw)
                    world.tally.steps.add(f"{state.flow}.{state.step}")
            except Exception as error:
                raise InvariantBroken("unreadable state", type(error).__name__) from None


# -- running ---------------------------------------------------------------------------------------
@contextmanager
def _capturing(world: World) -> Iterator[None]:
    root = logging.getLogger()
    root.addHandler(world.exception_log)
    try:
        yield
    finally:
        root.removeHandler(world.exception_log)


def _leaves(error: BaseException) -> list[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        return [leaf for e in error.exceptions for leaf in _leaves(e)]
    return [error]


def _short(action: Action) -> str:
    shown = repr(action)
    return shown if len(shown) <= 160 else f"{shown[:150]}... ({len(shown)} characters)"


def _example_of(error: BaseException) -> str:
    notes = [n for n in getattr(error, "__notes__", []) if n.startswith("script:")]
    return notes[-1] if notes else "(no script: raised outside an example)"


def _finding(error: BaseException) -> Finding:
    if isinstance(error, InvariantBroken):
        return Finding("invariant", error.kind, str(error)[:500], _example_of(error))
    name = type(error).__name__
    if isinstance(error, LoggedException) and error.__cause__ is not None:
        name = f"{type(error.__cause__).__name__} (logged)"
    return Finding("exception", name, str(error)[:500], _example_of(error))


def fuzz(db: Engine, database: str, inputs: int, seed: int = 0, chunk: int = 25) -> Tally:
    """Play examples on ``db`` (migrated, empty) until ``inputs`` service calls were made."""
    tally = Tally(database)
    world = World(db, tally)
    started = time.monotonic()
    round_ = 0
    known: set[tuple[str, str]] = set()
    with _capturing(world):
        while tally.inputs < inputs:

            @settings(
                max_examples=chunk,
                deadline=None,
                database=None,
                derandomize=False,
                suppress_health_check=list(HealthCheck),
                report_multiple_bugs=True,
                print_blob=False,
            )
            @hypothesis_seed(seed * 1_000_003 + round_)
            @given(scripts)
            def run(script: list[Action]) -> None:
                world.play(script)

            round_ += 1
            try:
                run()
            except Exception as error:
                for leaf in _leaves(error):
                    found = _finding(leaf)
                    if (found.kind, found.name) not in known:
                        known.add((found.kind, found.name))
                        tally.findings.append(found)
    tally.seconds = time.monotonic() - started
    return tally


def fresh_database(url: str) -> Engine:
    """An engine on ``url`` with the schema migrated from nothing (PostgreSQL: everything dropped)."""
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        metadata = MetaData()
        with engine.begin() as connection:
            metadata.reflect(connection)
            metadata.drop_all(connection)
    migrate(engine)
    return engine
