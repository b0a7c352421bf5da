"""Each agency's card of a ticket carries the buttons that agency may press, as the ticket model
says (flows/ticket_rules.py): the owner's card its actions, a copied agency's card none of them.
Checked on the cards posted with the report and on every card edited after a status change, and
by pressing: a button a copy is shown is accepted, one it is not shown would have been refused.

The report ("held") is owned by Polri PPA-PPO and copied to KP2MI (data/routing.json)."""

from __future__ import annotations

import pytest

from bot.notices import staff_text
from bot.outgoing import Outgoing
from bot.service import Helpline
from flows import officer_answers as answers
from flows import staff
from flows import ticket_rules as rules
from flows.ticket_rules import COPIED, OWNER
from storage.uow import UnitOfWork
from tests.support.service import (
    KP2MI_CHAT,
    OFFICER,
    PPA_CHAT,
    WORKER,
    Person,
    add_officer,
    file_report,
    onboard,
)

POLICE, MINISTRY = OFFICER, OFFICER + 1
NOT_ALLOWED = staff_text(answers.NOT_ALLOWED)


def _setup(helpline: Helpline) -> tuple[str, list[Outgoing]]:
    """A report, and an officer in each agency's chat; returns its reference and the cards."""
    worker = Person(helpline, WORKER)
    onboard(worker)
    ref = file_report(worker)
    add_officer(helpline, POLICE, "ppa-ppo", "Bripka A.")
    add_officer(helpline, MINISTRY, "kp2mi", "Officer K")
    return ref, worker.last


def _actions(out: list[Outgoing], chat: int, kind: str) -> tuple[tuple[str, ...], ...]:
    """The actions on the newest card of ``kind`` (card, card_update) sent to ``chat``."""
    (card,) = [m for m in out if m.chat_id == chat and m.kind == kind][-1:]
    rows = []
    for row in card.buttons:
        parsed = [staff.parse_action(data) for _, data in row]
        assert all(p is not None and p[1] == card.ticket_ref for p in parsed), row
        rows.append(tuple(p[0] for p in parsed if p is not None))
    return tuple(rows)


def _allowed(helpline: Helpline, ref: str, actor: str) -> set[str]:
    """What the model lets ``actor`` do among the card's actions, from the stored ticket."""
    with UnitOfWork(helpline.db) as uow:
        ticket = uow.tickets.get(ref)
        assert ticket is not None
        taken = ticket.taken_by is not None
        return {a for a in staff.ACTIONS if rules.decide(a, actor, ticket.status, taken=taken) is not None}


def _status(helpline: Helpline, ref: str) -> tuple[str, str]:
    with UnitOfWork(helpline.db) as uow:
        ticket = uow.tickets.get(ref)
        assert ticket is not None
        return ticket.status, ticket.owner


def _check_cards(helpline: Helpline, ref: str, out: list[Outgoing], kind: str) -> None:
    """Both cards in ``out`` show exactly their agency's allowed actions; every action hidden from
    the copy is refused when its officer presses it anyway, and changes nothing."""
    shown_owner = {a for row in _actions(out, PPA_CHAT, kind) for a in row}
    shown_copy = {a for row in _actions(out, KP2MI_CHAT, kind) for a in row}
    assert shown_owner == _allowed(helpline, ref, OWNER)
    assert shown_copy == _allowed(helpline, ref, COPIED)
    before = _status(helpline, ref)
    for action in set(staff.ACTIONS) - shown_copy:
        answer, sent = helpline.staff_press(MINISTRY, KP2MI_CHAT, f"s.{action}.{ref}")
        assert (answer, sent) == (NOT_ALLOWED, []), action
    assert _status(helpline, ref) == before


def test_the_copy_shows_no_owner_action_and_the_owners_card_is_unchanged(helpline: Helpline) -> None:
    ref, out = _setup(helpline)
    # The owner's card as before: every owner action the open ticket allows.
    assert _actions(out, PPA_CHAT, "card") == (("take", "transfer", "close"), ("resolve",))
    # The copy reads and answers by replying to the card: no button of the owner's.
    assert _actions(out, KP2MI_CHAT, "card") == ()
    _check_cards(helpline, ref, out, "card")


def test_edited_cards_keep_each_agencys_buttons_through_every_status(helpline: Helpline) -> None:
    ref, _ = _setup(helpline)
    expected_owner = {
        "take": (("transfer", "close"), ("resolve",)),
        "resolve": (("transfer", "close"),),
        "close": (("reopen",),),
        "reopen": (("transfer", "close"), ("resolve",)),  # back to the officer who had it
    }
    for action, owner_rows in expected_owner.items():
        answer, out = helpline.staff_press(POLICE, PPA_CHAT, f"s.{action}.{ref}")
        assert answer != NOT_ALLOWED, action
        assert _actions(out, PPA_CHAT, "card_update") == owner_rows, action
        assert _actions(out, KP2MI_CHAT, "card_update") == (), action
        _check_cards(helpline, ref, out, "card_update")


def test_a_transfer_moves_the_owners_buttons_to_the_new_owners_card(helpline: Helpline) -> None:
    ref, _ = _setup(helpline)
    answer, out = helpline.staff_press(POLICE, PPA_CHAT, f"s.transfer:kp2mi.{ref}")
    assert answer != NOT_ALLOWED
    assert _status(helpline, ref) == ("open", "kp2mi")
    owner_rows = (("take", "transfer", "close"), ("resolve",))
    # KP2MI gets a card of its own as the new owner, and its old copy is edited to match.
    assert _actions(out, KP2MI_CHAT, "card") == owner_rows
    assert _actions(out, KP2MI_CHAT, "card_update") == owner_rows
    # Polri keeps a copy, and its card loses the buttons it may no longer press.
    assert _actions(out, PPA_CHAT, "card_update") == ()
    for action in staff.ACTIONS:
        refused, sent = helpline.staff_press(POLICE, PPA_CHAT, f"s.{action}.{ref}")
        assert (refused, sent) == (NOT_ALLOWED, []), action


def test_a_button_the_model_gives_a_copy_appears_on_its_card_and_works(
    helpline: Helpline, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cards and the press ask the same table: were copied agencies allowed to close, the
    copy's card would show Close (and nothing else), and its officer's press would close the
    ticket. No list of buttons in the service or the notices to keep in step."""
    close = rules.RULES["close"]
    widened = rules.Rule(close.who | {COPIED}, close.moves, close.untaken_only)
    monkeypatch.setattr(rules, "RULES", {**rules.RULES, "close": widened})
    ref, out = _setup(helpline)
    assert _actions(out, PPA_CHAT, "card") == (("take", "transfer", "close"), ("resolve",))
    assert _actions(out, KP2MI_CHAT, "card") == (("close",),)
    _check_cards(helpline, ref, out, "card")
    answer, sent = helpline.staff_press(MINISTRY, KP2MI_CHAT, f"s.close.{ref}")
    assert answer == staff_text(answers.CLOSED)
    assert _status(helpline, ref) == ("closed", "ppa-ppo")
    # Closed: only the owner may reopen, so the copy's edited card is bare again.
    assert _actions(sent, PPA_CHAT, "card_update") == (("reopen",),)
    assert _actions(sent, KP2MI_CHAT, "card_update") == ()


def test_an_action_the_model_knows_but_the_service_does_not_changes_nothing(
    helpline: Helpline, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new action added to the model's table (and the buttons) before the service acts on it
    is refused as not valid: before, any action the service did not name fell through to reopen,
    so a closed ticket would have opened again."""
    reopen = rules.RULES["reopen"]
    monkeypatch.setattr(rules, "RULES", {**rules.RULES, "escalate": reopen})
    monkeypatch.setattr(staff, "ACTIONS", (*staff.ACTIONS, "escalate"))
    ref, _ = _setup(helpline)
    assert helpline.staff_press(POLICE, PPA_CHAT, f"s.close.{ref}")[0] == staff_text(answers.CLOSED)
    answer, sent = helpline.staff_press(POLICE, PPA_CHAT, f"s.escalate.{ref}")
    assert (answer, sent) == (staff_text(answers.BUTTON_NOT_VALID), [])
    assert _status(helpline, ref) == ("closed", "ppa-ppo")
