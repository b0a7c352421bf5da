"""The agency side, pure: ticket cards for staff chats, staff button payloads, and who may do what.

A card shows what an officer needs to prioritise; buttons carry ``s.<action>.<ref>`` (a transfer's
choice of agency ``s.transfer:<code>.<ref>``), and every press is checked again on the server
against the caller's agency, never trusted from the button."""

from __future__ import annotations

from flows import ticket_rules as rules
from flows.agencies import CODE
from flows.reference import PATTERN
from flows.replies import Button
from flows.text import M, Msg, Text
from flows.ticket_facts import CardFacts, author_label, fact_lines
from flows.vocab import PRIORITY_NAMES, agency_name, category_label

__all__ = ["CardFacts", "author_label"]  # kept importable from here, where they used to live

PREFIX = "s"
# The actions a card's buttons carry (the console's "assign" has no button).
ACTIONS = ("take", "transfer", "close", "reopen", "resolve")
ICONS = {"urgent": "🔴", "high": "🟠", "normal": "🟢"}


def card_lines(card: CardFacts) -> list[Text]:
    lines: list[Text] = [
        M(
            "{icon} {priority} · {ref} · {category}",
            icon=ICONS.get(card.priority, ""),
            priority=PRIORITY_NAMES.get(card.priority, PRIORITY_NAMES["normal"]),
            ref=card.ref,
            category=category_label(card.category),
        ),
    ]
    # Every fact, short (flows.ticket_facts): /lihat and the command line show them whole.
    lines += fact_lines(card, whole=False)
    if card.evidence_count:
        lines.append(M("Evidence: {count} file(s)", count=card.evidence_count))
    if card.due_at is not None:
        lines.append(M("Received {at} · first response due {due}", at=card.created_at, due=card.due_at))
    else:
        lines.append(M("Received {at}", at=card.created_at))
    if card.copied:
        lines.append(M("copy: {agencies}", agencies=_join([agency_name(a) for a in card.copied])))
    if card.no_chat:
        lines.append(no_chat_line(card.no_chat))
    if card.status == rules.CLOSED:
        lines.append(M("<b>Closed.</b>"))
    elif card.status == rules.RESOLVED:
        lines.append(M("<b>Resolved.</b> It closes by itself if nobody writes."))
    elif card.taken_by and card.taken_at:
        lines.append(M("Handled by {name} since {at}", name=card.taken_by, at=card.taken_at))
    return lines


# Where each action's button sits on a card, and its label. Which of them a card shows is the
# ticket model's answer for the agency reading it and the ticket's status (``rules.decide``),
# never a list of its own.
BUTTON_ROWS: tuple[tuple[str, ...], ...] = (("take", "transfer", "close"), ("resolve",), ("reopen",))
BUTTON_LABELS: dict[str, Msg] = {
    "take": M("Take"),
    "transfer": M("Transfer"),
    "close": M("Close"),
    "resolve": M("Resolved"),
    "reopen": M("Reopen"),
}


def card_actions(card: CardFacts, actor: str) -> tuple[tuple[str, ...], ...]:
    """The card's actions, by row, for the agency whose chat it is posted in (``actor``: what that
    agency is to the ticket, ``rules.relation``): those the ticket model lets it do from the
    ticket's status, the same answer a press gets on the server (``may_act``). Each agency's card
    is its own, so nobody is offered a button that only answers "not allowed"; today a copy gets
    none of them (it reads and answers by replying to the card, which is no button)."""
    taken = card.taken_by is not None
    rows = (
        tuple(a for a in row if rules.decide(a, actor, card.status, taken=taken) is not None)
        for row in BUTTON_ROWS
    )
    return tuple(row for row in rows if row)


def card_buttons(card: CardFacts, actor: str) -> tuple[tuple[Button, ...], ...]:
    """The card's buttons for ``actor`` (see ``card_actions``), in the format ``parse_action`` reads."""
    return tuple(
        tuple(Button(f"{PREFIX}.{action}.{card.ref}", BUTTON_LABELS[action]) for action in row)
        for row in card_actions(card, actor)
    )


def parse_action(data: str) -> tuple[str, str, str | None] | None:
    """``s.take.PMI-XXXX-XXXX`` -> ("take", ref, None); ``s.transfer:imigrasi.PMI-XXXX-XXXX`` ->
    ("transfer", ref, "imigrasi"); anything else -> None. Our buttons carry the reference exactly,
    so anything looser is forged and refused before it reaches storage."""
    parts = data.split(".")
    if len(parts) != 3 or parts[0] != PREFIX or not PATTERN.fullmatch(parts[2]):
        return None
    action, _, target = parts[1].partition(":")
    if action not in ACTIONS or (target and (action != "transfer" or not CODE.fullmatch(target))):
        return None
    return action, parts[2], target or None


def transfer_buttons(ref: str, targets: tuple[str, ...]) -> tuple[tuple[Button, ...], ...]:
    """One button per agency the ticket may be transferred to, under its card."""
    return tuple(
        (Button(f"{PREFIX}.transfer:{code}.{ref}", M("To {agency}", agency=agency_name(code))),)
        for code in targets
    )


def no_chat_line(agencies: tuple[str, ...]) -> Text:
    """The card's word that some agency that sees the ticket gets no card (no staff chat set)."""
    return M(
        "No card for {agencies}: no staff chat is configured for it.",
        agencies=_join([agency_name(a) for a in agencies]),
    )


def may_act(
    action: str, staff_agencies: set[str], chat_agency: str | None, owner: str, copied: tuple[str, ...]
) -> bool:
    """Only staff registered for the agency of this chat, and only what the ticket model lets
    that agency do (``flows.ticket_rules``: the owner changes the ticket, copied agencies read and
    answer)."""
    if chat_agency is None or chat_agency not in staff_agencies:
        return False
    return rules.may(action, rules.relation(chat_agency, owner, copied))


def _join(parts: list[Text]) -> Text:
    """Comma-joined list of parts, each rendered on its own (a literal msgid per step)."""
    if len(parts) <= 1:
        return parts[0] if parts else ""
    return M("{first}, {rest}", first=parts[0], rest=_join(parts[1:]))
