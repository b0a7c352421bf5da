"""The ticket page: every fact, the whole thread in time order, private notes, answers that reach
the reporter through the outbox exactly as from the staff chat, canned replies, evidence fetched
through the Bot API and kept encrypted, and one refusal for missing and foreign tickets."""

from __future__ import annotations

import re

from sqlalchemy import MetaData, Table, select
from sqlmodel import col
from sqlmodel import select as model_select

from bot.outgoing import Outgoing
from console.web import Desk
from flows.events import Evidence
from flows.incoming import TextIn
from storage.tables import AuditRow, OutboxRow
from storage.uow import UnitOfWork
from tests.console.conftest import Browser, add_officer, console_settings, report
from tests.fakebotapi.engine import TINY_PNG
from tests.fakebotapi.server import FakeBotApi
from tests.support.service import PPA_CHAT, Clock, Person, file_report, onboard


def audit(desk: Desk, ref: str) -> list[tuple[str, str, str]]:
    with UnitOfWork(desk.db) as uow:
        ticket = uow.tickets.get(ref)
        assert ticket is not None and ticket.id is not None
        return [(a.actor, a.action, a.data) for a in uow.audit.for_ticket(ticket.id)]


def to_chat(desk: Desk, chat: int) -> list[str]:
    with UnitOfWork(desk.db) as uow:
        rows = uow.session.exec(
            model_select(OutboxRow).where(OutboxRow.chat_id == chat).order_by(col(OutboxRow.id))
        )
        return [
            Outgoing.from_payload(
                r.chat_id, r.priority, r.kind, r.ticket_ref, __import__("json").loads(r.payload)
            ).text
            for r in rows
        ]


def test_the_page_shows_every_fact_and_the_view_is_audited(desk: Desk, web: Browser) -> None:
    ref = report(desk, 5001, "held")
    web.login(add_officer(desk, 7001, "ppa-ppo", "Sari"))
    page = web.get(f"/tickets/{ref}")
    for fact in (
        ref,
        "Johor Bahru",
        "Malaysia",
        "My passport is kept by the employer &lt;b&gt;",
        "Laporan diterima",
    ):
        assert fact in page, fact
    assert ("staff:" in audit(desk, ref)[-1][0]) and audit(desk, ref)[-1][1] == "viewed"


def test_missing_and_foreign_tickets_get_the_same_refusal(desk: Desk, web: Browser) -> None:
    foreign = report(desk, 5001, "other")  # KP2MI only
    web.login(add_officer(desk, 7001, "ppa-ppo", "Sari"))
    answers = [web.client.get(f"/tickets/{ref}") for ref in (foreign, "PMI-AAAA-AAAA")]
    assert [a.status_code for a in answers] == [404, 404]
    # The same page but for the address typed (the language switch returns to it).
    assert answers[0].text.replace(foreign, "REF") == answers[1].text.replace("PMI-AAAA-AAAA", "REF")
    assert "Johor" not in answers[0].text
    assert audit(desk, foreign)[-1][:2] == ("telegram:7001", "refused")
    for url in (f"/tickets/{foreign}/thread", f"/tickets/{foreign}/canned?canned=received"):
        assert web.client.get(url).status_code == 404
    web.client.post(f"/tickets/{foreign}/note", data={"csrf": web.csrf, "body": "x"})
    web.client.post(f"/tickets/{foreign}/reply", data={"csrf": web.csrf, "body": "x"})
    assert "x" not in to_chat(desk, 5001)[-1]


def test_an_answer_reaches_the_reporter_as_from_the_staff_chat(desk: Desk, web: Browser) -> None:
    ref = report(desk, 5001, "held")
    web.login(add_officer(desk, 7001, "ppa-ppo", "Sari"))
    page = web.post(f"/tickets/{ref}/reply", body="We are checking with the employer <i>now</i>.")
    assert "Jawaban dikirim ke pelapor." in page
    sent = to_chat(desk, 5001)[-1]
    # The reporter chose English; exactly what the same reply in the staff group sends.
    assert sent.startswith("Officer Polri PPA-PPO: We are checking with the employer &lt;i&gt;now&lt;/i&gt;.")
    _, [from_group] = desk.helpline.staff_reply(
        7001, PPA_CHAT, "We are checking with the employer <i>now</i>.", ref=ref
    )
    assert from_group.text == sent and from_group.kind == "notice"
    assert "Sari" not in sent
    assert "We are checking with the employer" in page  # in the thread, with the officer's name
    assert "answered" in [a[1] for a in audit(desk, ref)]
    with UnitOfWork(desk.db) as uow:
        ticket = uow.tickets.get(ref)
        assert ticket is not None and ticket.status == "waiting" and ticket.first_response_at


def test_the_reporters_answer_shows_in_the_thread(desk: Desk, web: Browser) -> None:
    person = Person(desk.helpline, 5001)
    onboard(person)
    ref = file_report(person, "held")
    web.login(add_officer(desk, 7001, "ppa-ppo", "Sari"))
    web.post(f"/tickets/{ref}/reply", body="Where are you now?")
    person.send(TextIn("At the shelter in Johor", reply_to_ref=ref))
    thread = web.get(f"/tickets/{ref}/thread")
    assert thread.index("Where are you now?") < thread.index("At the shelter in Johor")
    assert 'hx-trigger="every' in thread


def test_private_notes_stay_with_the_agency(desk: Desk, web: Browser) -> None:
    ref = report(desk, 5001, "held")  # owner PPA-PPO, copy KP2MI
    web.login(add_officer(desk, 7001, "ppa-ppo", "Sari"))
    before = to_chat(desk, 5001)
    page = web.post(f"/tickets/{ref}/note", body="Employer known to the Johor office.")
    assert "Catatan disimpan." in page and "Employer known to the Johor office." in page
    assert to_chat(desk, 5001) == before  # nothing to the reporter
    kp2mi = Browser(desk, web.clock)
    kp2mi.login(add_officer(desk, 7002, "kp2mi", "Dewi"))
    assert "Employer known" not in kp2mi.get(f"/tickets/{ref}")


def test_canned_replies_come_in_the_reporters_language(desk: Desk, web: Browser) -> None:
    ref = report(desk, 5001, "held")  # the reporter chose English
    web.login(add_officer(desk, 7001, "ppa-ppo", "Sari"))
    page = web.get(f"/tickets/{ref}")
    assert "Laporan diterima" in page  # titles in the officer's language
    box = web.get(f"/tickets/{ref}/canned?canned=received")
    assert "Thank you for your report." in box and "textarea" in box


def test_a_copied_agency_reads_and_answers_but_has_no_status_buttons(desk: Desk, web: Browser) -> None:
    ref = report(desk, 5001, "held")
    web.login(add_officer(desk, 7002, "kp2mi", "Dewi"))
    page = web.get(f"/tickets/{ref}")
    assert 'id="act-' not in page and "menerima salinan" in page and 'id="send-reply"' in page
    web.post(f"/tickets/{ref}/reply", body="KP2MI here.")
    assert to_chat(desk, 5001)[-1].startswith("Officer KP2MI: KP2MI here.")


def test_status_actions_from_the_ticket_page(desk: Desk, web: Browser) -> None:
    ref = report(desk, 5001, "held")
    web.login(add_officer(desk, 7001, "ppa-ppo", "Sari"))
    page = web.post(f"/tickets/{ref}/act", action="take")
    assert "Diambil oleh Sari" in page and 'id="act-take"' not in page
    page = web.post(f"/tickets/{ref}/act", action="resolve")
    assert 'id="act-close"' in page and 'id="act-resolve"' not in page
    page = web.post(f"/tickets/{ref}/act", action="close")
    assert 'id="act-reopen"' in page


def test_evidence_is_fetched_once_kept_encrypted_and_streamed(engine: object, clock: Clock) -> None:
    from tests.console.conftest import CHEAP, Passwords
    from tests.privacy.conftest import NEW_KEY

    with FakeBotApi() as api:
        file_id = api.register_file(TINY_PNG, mime_type="image/png")
        settings = console_settings(
            telegram_bot_token=api.token, telegram_api_base_url=api.base_url, helpline_data_key=NEW_KEY
        )
        desk = Desk(settings, engine, clock=clock, passwords=Passwords(CHEAP))  # type: ignore[arg-type]
        ref = report(desk, 5001, "held")
        with UnitOfWork(desk.db) as uow:
            ticket = uow.tickets.get(ref)
            assert ticket is not None
            uow.tickets.add_message(
                ticket,
                "reporter",
                "photo of the contract",
                clock(),
                evidence=[Evidence("photo", file_id, "image/png", len(TINY_PNG))],
            )
            uow.commit()
        web = Browser(desk, clock)
        web.login(add_officer(desk, 7001, "ppa-ppo", "Sari"))
        page = web.get(f"/tickets/{ref}")
        url = page.split('<img src="', 1)[1].split('"', 1)[0]
        for _ in range(2):
            answer = web.client.get(url)
            assert answer.status_code == 200 and answer.content == TINY_PNG
            assert answer.headers["content-type"] == "image/png"
            assert answer.headers["cache-control"] == "private, no-store"
        assert len(api.sent(method="getFile")) == 1
        chunks = Table("evidence_chunks", MetaData(), autoload_with=desk.db)
        with desk.db.connect() as connection:
            stored = [row.data for row in connection.execute(select(chunks))]
        assert stored and all(value.startswith("fernet:") for value in stored)
        assert web.client.get(url.replace(ref, "PMI-AAAA-AAAA")).status_code == 404
        with UnitOfWork(desk.db) as uow:
            views = uow.session.exec(model_select(AuditRow).where(AuditRow.action == "evidence_viewed")).all()
        assert len(views) == 2


def test_the_thread_reload_answers_only_when_something_changed(desk: Desk, web: Browser) -> None:
    person = Person(desk.helpline, 5001)
    onboard(person)
    ref = file_report(person, "held")
    web.login(add_officer(desk, 7001, "ppa-ppo", "Sari"))
    page = web.get(f"/tickets/{ref}")
    found = re.search(r'hx-get="(/tickets/[^"]+/thread\?v=[0-9a-f]+)"', page)
    assert found
    assert web.client.get(found.group(1)).status_code == 204
    person.send(TextIn("news from the shelter", reply_to_ref=ref))
    answer = web.client.get(found.group(1))
    assert answer.status_code == 200 and "news from the shelter" in answer.text
