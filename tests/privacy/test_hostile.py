"""Hostile input through the service: floods, oversized and malformed text, injection attempts.
Each gets a clear answer or is dropped; nothing crashes and nothing else changes."""

from __future__ import annotations

import zlib
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot.privacy import Flood, FloodGuard
from bot.service import Helpline
from flows.incoming import ChoiceIn, CommandIn, Incoming, TextIn
from storage.tables import TicketMessageRow
from storage.uow import UnitOfWork
from tests.support.service import WORKER, Clock, Person, file_report, onboard


def test_flood_guard_warns_once_then_drops_then_recovers() -> None:
    guard = FloodGuard(limit=3, window=timedelta(seconds=10), cooldown=timedelta(seconds=30))
    start = Clock().now
    verdicts = [guard.check(1, start) for _ in range(6)]
    assert verdicts == [Flood.OK] * 3 + [Flood.WARN] + [Flood.DROP] * 2
    assert guard.check(2, start) is Flood.OK  # per person
    assert guard.check(1, start + timedelta(seconds=29)) is Flood.DROP
    assert guard.check(1, start + timedelta(seconds=30)) is Flood.OK


def test_a_flood_gets_one_polite_answer_and_changes_nothing(helpline: Helpline) -> None:
    # A long window: the test clock moves a second per update, which must not refill much.
    helpline.flood = FloodGuard(limit=5, window=timedelta(hours=1), cooldown=timedelta(hours=1))
    worker = Person(helpline, WORKER)
    answers = [worker.send(TextIn("spam")) for _ in range(8)]
    assert all(out for out in answers[:5])
    assert len(answers[5]) == 1 and "/darurat" in answers[5][0].text
    assert answers[6:] == [[], []]
    with UnitOfWork(helpline.db) as uow:
        user = uow.users.get(WORKER)
        assert user is not None and uow.conversations.load(user.id or 0)[1] == 5
    # The emergency numbers still come, even now.
    assert any(m.kind == "emergency" for m in worker.send(CommandIn("darurat")))


def test_long_text_is_kept_whole(helpline: Helpline) -> None:
    worker = Person(helpline, WORKER)
    onboard(worker)
    ref = file_report(worker)
    worker.send(CommandIn("status"))
    worker.press(f"ref:{ref}")
    worker.press("add")
    worker.send(TextIn("x" * 100_000))
    with UnitOfWork(helpline.db) as uow:
        [message] = uow.session.exec(select(TicketMessageRow)).all()
        assert message.text == "x" * 100_000  # never cut: splitting is for sending only


def test_markup_in_names_and_text_is_escaped_for_staff(helpline: Helpline) -> None:
    worker = Person(helpline, WORKER)
    onboard(worker)
    worker.send(CommandIn("lapor"))
    for choice in ("held", "no", "self", "MY"):
        worker.press(choice)
    worker.send(TextIn('<a href="tg://user?id=1">Johor</a> & <b>'))
    worker.send(TextIn("Ali & <i>Sons</i> <script>x</script> *bold* _it_"))
    worker.press("skip")
    worker.press("chat")
    cards = [m for m in worker.press("send") if m.kind == "card"]
    assert cards
    for card in cards:
        assert "<a href" not in card.text and "<script>" not in card.text and "<i>" not in card.text
        # Quotes may stay: outside a tag they are plain text to Telegram.
        assert '&lt;a href="tg://user?id=1"&gt;Johor&lt;/a&gt; &amp;' in card.text
        assert "Ali &amp; &lt;i&gt;Sons&lt;/i&gt;" in card.text


def test_sql_looking_input_is_stored_verbatim(helpline: Helpline) -> None:
    worker = Person(helpline, WORKER)
    onboard(worker)
    ref = file_report(worker)
    worker.send(CommandIn("status"))
    worker.press(f"ref:{ref}")
    worker.press("add")
    sql = "'); DROP TABLE tickets; -- \" OR 1=1; SELECT * FROM users"
    worker.send(TextIn(sql))
    with UnitOfWork(helpline.db) as uow:
        assert [m.text for m in uow.session.exec(select(TicketMessageRow))] == [sql]
        assert uow.tickets.get(ref) is not None


def test_lone_surrogates_and_nul_do_not_crash(helpline: Helpline) -> None:
    worker = Person(helpline, WORKER)
    onboard(worker)
    ref = file_report(worker)
    worker.send(CommandIn("status"))
    worker.press(f"ref:{ref}")
    worker.press("add")
    assert worker.send(TextIn("broken \ud800 text\x00 here"))
    assert worker.send(CommandIn("status", "\udfff"))
    assert worker.send(ChoiceIn("g.\ud83d"))
    with UnitOfWork(helpline.db) as uow:
        assert [m.text for m in uow.session.exec(select(TicketMessageRow))] == ["broken \ufffd text here"]


incoming = st.one_of(
    st.builds(TextIn, st.text(max_size=300)),
    st.builds(
        CommandIn,
        st.sampled_from(["start", "lapor", "status", "hapus", "hapusdata", "cek", "batal", "x"]),
        st.text(max_size=40),
    ),
    st.builds(
        ChoiceIn,
        st.one_of(
            st.text(max_size=40),
            st.sampled_from(["g.menu", "g.lang.en", "1.agree", "2.worker", "3.clear", "g.urgent"]),
        ),
    ),
)


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(incoming, max_size=8), st.text(max_size=60))
def test_fuzz_the_service_never_crashes(
    helpline: Helpline, messages: list[Incoming], staff_data: str
) -> None:
    """Any sequence of messages from a person and any button data from staff: an answer or
    silence, never an exception. (Person ids differ per example: the database is shared.)"""
    person = Person(helpline, 10_000 + zlib.crc32(repr(messages).encode("utf-8", "surrogatepass")) % 10**6)
    for message in messages:
        person.send(message)
    helpline.staff_press(7001, -1002, staff_data)
    helpline.staff_reply(7001, -1002, staff_data, ref=staff_data)
