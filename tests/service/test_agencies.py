"""Agencies as data through the service: Imigrasi is copied on fake-document reports, gets a card
only when its staff chat is configured (the others' cards say so otherwise), acts like any agency
in its own chat, and a transfer offers every agency that may own the ticket's category."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

from sqlalchemy import Engine

from bot.config import Settings
from bot.i18n import renderer
from bot.outgoing import Outgoing
from bot.service import Helpline
from flows.text import M
from storage.uow import UnitOfWork
from tests.support.service import KP2MI_CHAT, PPA_CHAT, WORKER, Clock, Person, file_report, onboard

IMIGRASI_CHAT = -1003
STAFF = renderer("id", "plain")
OFFICER = 7101
NO_CARD_ID = "Tidak ada kartu untuk Imigrasi: grup petugasnya belum diatur."


def with_imigrasi(engine: Engine) -> Helpline:
    rng = random.Random(11)
    counter = iter(range(1, 10**9))
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        helpline_staff_chat_kp2mi=KP2MI_CHAT,
        helpline_staff_chat_ppa_ppo=PPA_CHAT,
        helpline_staff_chat_imigrasi=IMIGRASI_CHAT,
    )
    return Helpline(
        engine, settings, clock=Clock(), random_bytes=rng.randbytes, new_id=lambda: f"n{next(counter)}"
    )


def officer(helpline: Helpline, agency: str, telegram_id: int = OFFICER) -> None:
    with UnitOfWork(helpline.db) as uow:
        uow.staff.add(telegram_id, agency, "Petugas", datetime(2026, 11, 1, tzinfo=UTC))
        uow.commit()


def fake_documents(helpline: Helpline) -> tuple[str, list[Outgoing]]:
    """A fake-document report; its reference and the messages its sending queued."""
    worker = Person(helpline, WORKER)
    onboard(worker)
    ref = file_report(worker, "fake_documents")
    return ref, worker.last


def cards(out: list[Outgoing]) -> list[Outgoing]:
    return [m for m in out if m.kind == "card"]


def test_without_its_chat_imigrasi_gets_no_card_and_the_others_say_so(helpline: Helpline) -> None:
    _, out = fake_documents(helpline)
    sent = cards(out)
    assert {m.chat_id for m in sent} == {KP2MI_CHAT, PPA_CHAT}
    for card in sent:
        assert "salinan: Imigrasi, Polri PPA-PPO" in card.text
        assert NO_CARD_ID in card.text


def test_with_its_chat_imigrasi_gets_the_card_and_nobody_is_told_otherwise(engine: Engine) -> None:
    helpline = with_imigrasi(engine)
    _, out = fake_documents(helpline)
    sent = cards(out)
    assert {m.chat_id for m in sent} == {KP2MI_CHAT, PPA_CHAT, IMIGRASI_CHAT}
    assert all(NO_CARD_ID not in m.text for m in sent)


def test_imigrasi_reads_and_answers_a_copied_ticket_but_does_not_change_it(engine: Engine) -> None:
    helpline = with_imigrasi(engine)
    ref, _ = fake_documents(helpline)
    officer(helpline, "imigrasi")
    error, out = helpline.staff_reply(OFFICER, IMIGRASI_CHAT, "Paspor Anda akan kami periksa.", ref=ref)
    assert error is None
    [to_worker] = [m for m in out if m.chat_id == WORKER]
    assert "Officer Immigration (Imipas): Paspor Anda akan kami periksa." in to_worker.text
    answer, _ = helpline.staff_press(OFFICER, IMIGRASI_CHAT, f"s.close.{ref}")
    assert answer == STAFF.text(M("You are not allowed to do this."))
    with UnitOfWork(helpline.db) as uow:
        ticket = uow.tickets.get(ref)
        assert ticket is not None and ticket.status == "waiting" and ticket.owner == "kp2mi"


def test_a_transfer_with_several_possible_owners_asks_which_under_the_card(engine: Engine) -> None:
    helpline = with_imigrasi(engine)
    ref, _ = fake_documents(helpline)
    officer(helpline, "kp2mi")
    answer, out = helpline.staff_press(OFFICER, KP2MI_CHAT, f"s.transfer.{ref}")
    assert answer == STAFF.text(M("Choose the agency under the card."))
    [choice] = out
    assert (choice.chat_id, choice.reply_to_card) == (KP2MI_CHAT, True)
    assert choice.buttons == (
        (("Ke Polri PPA-PPO", f"s.transfer:ppa-ppo.{ref}"),),
        (("Ke Imigrasi", f"s.transfer:imigrasi.{ref}"),),
    )
    with UnitOfWork(helpline.db) as uow:
        ticket = uow.tickets.get(ref)
        assert ticket is not None and ticket.owner == "kp2mi"  # nothing changed yet

    answer, out = helpline.staff_press(OFFICER, KP2MI_CHAT, f"s.transfer:imigrasi.{ref}")
    assert answer == STAFF.text(M("Transferred to {agency}.", agency="Imigrasi"))
    assert any(m.kind == "card" and m.chat_id == IMIGRASI_CHAT for m in out)
    with UnitOfWork(helpline.db) as uow:
        ticket = uow.tickets.get(ref)
        assert ticket is not None and ticket.owner == "imigrasi"
        assert set(uow.tickets.copies(ticket.id or 0)) == {"kp2mi", "ppa-ppo"}
        [audit] = [a for a in uow.audit.for_ticket(ticket.id or 0) if a.action == "transfer"]
        assert json.loads(audit.data or "{}") == {"to": "imigrasi"}


def test_a_transfer_to_an_agency_without_a_staff_chat_says_so(helpline: Helpline) -> None:
    ref, _ = fake_documents(helpline)  # Imigrasi's chat is not configured here
    officer(helpline, "kp2mi")
    answer, out = helpline.staff_press(OFFICER, KP2MI_CHAT, f"s.transfer:imigrasi.{ref}")
    assert answer == (
        "Dialihkan ke Imigrasi. Instansi ini tidak punya grup petugas: petugasnya hanya melihat "
        "tiket ini di konsol."
    )
    assert not [m for m in out if m.kind == "card"]  # nowhere to post its card
    [kept] = [m for m in out if m.kind == "card_update" and m.chat_id == KP2MI_CHAT]
    assert NO_CARD_ID in kept.text  # KP2MI, now copied, reads that Imigrasi gets no card


def test_a_transfer_to_an_agency_that_may_not_own_the_category_is_refused(engine: Engine) -> None:
    helpline = with_imigrasi(engine)
    worker = Person(helpline, WORKER)
    onboard(worker)
    ref = file_report(worker, "held")  # Polri PPA-PPO owns it; Imigrasi may not own "held"
    officer(helpline, "ppa-ppo")
    answer, _ = helpline.staff_press(OFFICER, PPA_CHAT, f"s.transfer:imigrasi.{ref}")
    assert answer == STAFF.text(M("Nothing changed."))
    # With one possible owner the button transfers at once, as it always did.
    answer, _ = helpline.staff_press(OFFICER, PPA_CHAT, f"s.transfer.{ref}")
    assert answer == STAFF.text(M("Transferred to {agency}.", agency="KP2MI"))


def test_a_forged_transfer_target_is_not_a_valid_button(helpline: Helpline) -> None:
    ref, _ = fake_documents(helpline)
    officer(helpline, "kp2mi")
    for data in (f"s.transfer:Imigrasi!.{ref}", f"s.take:imigrasi.{ref}", f"s.transfer:.{ref}x"):
        answer, out = helpline.staff_press(OFFICER, KP2MI_CHAT, data)
        assert (answer, out) == (STAFF.text(M("This button is not valid.")), []), data


def test_the_console_transfers_to_the_agency_chosen(engine: Engine) -> None:
    helpline = with_imigrasi(engine)
    ref, _ = fake_documents(helpline)
    officer(helpline, "kp2mi")
    assert helpline.staff_act(OFFICER, "kp2mi", "transfer", ref) == (
        STAFF.text(M("Choose the agency to transfer to.")),
        False,
    )
    answer, changed = helpline.staff_act(OFFICER, "kp2mi", "transfer", ref, to_agency="ppa-ppo")
    assert changed and answer == STAFF.text(M("Transferred to {agency}.", agency="Polri PPA-PPO"))
