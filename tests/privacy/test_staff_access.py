"""Least privilege for staff: an agency acts on its own tickets only, forged buttons do nothing,
and every read and refused attempt is in the audit trail."""

from __future__ import annotations

import pytest

from bot.i18n import renderer
from bot.service import Helpline
from flows.text import M
from storage.uow import UnitOfWork
from tests.support.service import KP2MI_CHAT, PPA_CHAT, WORKER, Person, file_report, onboard

STAFF = renderer("id", "plain")
PPA_OFFICER, KP2MI_OFFICER, OUTSIDER = 7001, 7002, 9009
NOT_ALLOWED = STAFF.text(M("You are not allowed to do this."))


def setup(helpline: Helpline, category: str = "held") -> str:
    worker = Person(helpline, WORKER)
    onboard(worker)
    ref = file_report(worker, category)
    with UnitOfWork(helpline.db) as uow:
        uow.staff.add(PPA_OFFICER, "ppa-ppo", "A", helpline.clock())
        uow.staff.add(KP2MI_OFFICER, "kp2mi", "K", helpline.clock())
        uow.commit()
    return ref


def audit(helpline: Helpline, ref: str) -> list[tuple[str, str]]:
    with UnitOfWork(helpline.db) as uow:
        ticket = uow.tickets.get(ref)
        assert ticket is not None and ticket.id is not None
        return [(a.actor, a.action) for a in uow.audit.for_ticket(ticket.id)]


def test_another_agency_cannot_reply_and_it_is_recorded(helpline: Helpline) -> None:
    ref = setup(helpline, "other")  # KP2MI alone: PPA-PPO is neither owner nor copied
    error, out = helpline.staff_reply(PPA_OFFICER, PPA_CHAT, "hello", ref=ref)
    assert out == [] and error == STAFF.text(M("You are not allowed to answer this ticket."))
    # An officer of the right agency writing from the wrong agency's chat is refused too.
    error, out = helpline.staff_reply(KP2MI_OFFICER, PPA_CHAT, "hello", ref=ref)
    assert out == [] and error is not None
    assert audit(helpline, ref)[-2:] == [
        (f"telegram:{PPA_OFFICER}", "refused"),
        (f"telegram:{KP2MI_OFFICER}", "refused"),
    ]
    with UnitOfWork(helpline.db) as uow:
        ticket = uow.tickets.get(ref)
        assert ticket is not None and uow.tickets.thread(ticket.id or 0) == []


@pytest.mark.parametrize(
    "data",
    [
        "s.take.{ref}x",
        "s.delete.{ref}",
        "s.take.{ref}.extra",
        "s..{ref}",
        "s.take.",
        "s.take",
        "x.take.{ref}",
        "s.take.pmi-aaaa-aaaa",
        "s.take.' OR 1=1 --",
        "s.close.{ref}\u0000",
        "s.take.\ud800",
        "",
        "." * 64,
    ],
)
def test_forged_callback_data_changes_nothing(helpline: Helpline, data: str) -> None:
    ref = setup(helpline)
    answer, out = helpline.staff_press(PPA_OFFICER, PPA_CHAT, data.format(ref=ref))
    assert out == []
    assert answer in (NOT_ALLOWED, STAFF.text(M("This button is not valid.")))
    with UnitOfWork(helpline.db) as uow:
        ticket = uow.tickets.get(ref)
        assert ticket is not None and (ticket.status, ticket.taken_by) == ("open", None)


def test_a_valid_button_pressed_in_another_agencys_chat_is_refused(helpline: Helpline) -> None:
    ref = setup(helpline)  # owned by PPA-PPO, copied to KP2MI
    for who, chat in ((KP2MI_OFFICER, KP2MI_CHAT), (KP2MI_OFFICER, PPA_CHAT), (OUTSIDER, PPA_CHAT)):
        for action in ("take", "transfer", "close", "resolve"):
            assert helpline.staff_press(who, chat, f"s.{action}.{ref}") == (NOT_ALLOWED, [])
    assert audit(helpline, ref).count((f"telegram:{KP2MI_OFFICER}", "refused")) == 8


def test_staff_view_is_an_audited_read_in_own_chat_only(helpline: Helpline) -> None:
    ref = setup(helpline)
    error, out = helpline.staff_view(KP2MI_OFFICER, KP2MI_CHAT, ref.lower())  # copied agency
    assert error is None and {m.chat_id for m in out} == {KP2MI_CHAT}
    assert any(m.kind == "card" and ref in m.text for m in out)
    assert (f"staff:{_staff_id(helpline, KP2MI_OFFICER)}", "viewed") in audit(helpline, ref)
    refused = STAFF.text(M("You are not allowed to see this ticket."))
    # An outsider, a wrong chat and a reference that does not exist all get the same answer.
    assert helpline.staff_view(OUTSIDER, PPA_CHAT, ref) == (refused, [])
    assert helpline.staff_view(KP2MI_OFFICER, PPA_CHAT, ref) == (refused, [])
    assert helpline.staff_view(PPA_OFFICER, PPA_CHAT, "PMI-ZZZZ-ZZZZ") == (refused, [])
    usage, out = helpline.staff_view(PPA_OFFICER, PPA_CHAT, "  ")
    assert out == [] and usage is not None and "/lihat PMI-" in usage


def _staff_id(helpline: Helpline, telegram_id: int) -> int:
    with UnitOfWork(helpline.db) as uow:
        [row] = uow.staff.memberships(telegram_id)
        assert row.id is not None
        return row.id
