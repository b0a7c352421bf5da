"""What the ticket page shows, gathered from storage for one officer: every fact, the whole
thread (the reporter, the agencies, private notes and system events in time order), evidence,
the person's other tickets, linked tickets and possible duplicates, and what the officer may do.

Nothing here is shown before the caller checked that the officer's agency sees the ticket."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from console import access
from console.duplicates import candidates
from flows import agencies
from flows.agencies import is_agency
from flows.onboarding import LANGUAGES
from flows.recruiter_facts import RISK_NAMES, STATUS_NAMES, red_flag_lines
from flows.text import M, Msg, Text
from flows.ticket_facts import ANSWERS, ROLE_NAMES
from flows.vocab import PRIORITY_NAMES, agency_name, category_label, country_label
from storage.desk import DeskRepository
from storage.tables import AuditRow, StaffRow, TicketRow, load_json
from storage.tickets import TicketRepository

DETAIL_LABELS: dict[str, Msg] = {
    "victim_relation": M("Relation to the victim"),
    "last_contact": M("Last contact"),
    "employer": M("Employer or agency"),
    "passport_number": M("Passport number"),
    "recruiter": M("Recruiter"),
    "recruiter_name": M("Recruiter"),
    "recruiter_license": M("Recruiter licence"),
    "recruiter_status": M("Recruiter licence status"),
    "country_other": M("Country (as written)"),
    "trafficking_signs": M("Signs of trafficking"),
    "emergency_words": M("Danger words"),
    "emergency_country": M("Country named in the danger words (not asked)"),
    "red_flags": M("Red flags"),
    "red_flag_risk": M("Red-flag risk"),
    "victim_minor": M("Under 18, as answered"),
    "notes": M("Also written"),
}
STATUS_LABELS: dict[str, Msg] = {
    "open": M("open"),
    "taken": M("taken"),
    "waiting": M("waiting on reporter"),
    "resolved": M("resolved"),
    "closed": M("closed"),
}
ACTION_LABELS: dict[str, Msg] = {
    "take": M("Take"),
    "assign": M("Assign"),
    "transfer": M("Transfer"),
    "resolve": M("Resolved"),
    "close": M("Close"),
    "reopen": M("Reopen"),
}
KIND_LABELS: dict[str, Msg] = {
    "phone": M("same phone number"),
    "passport": M("same passport number"),
    "recruiter": M("same recruiter"),
    "missing_name": M("same missing person's name"),
}
# System events of the audit trail worth a line in the thread (reads and refusals are not).
EVENTS: dict[str, Msg] = {
    "opened": M("Report received"),
    "take": M("Taken by {who}"),
    "assign": M("Assigned by {who}"),
    "transfer": M("Transferred by {who}"),
    "close": M("Closed by {who}"),
    "reopen": M("Reopened by {who}"),
    "resolve": M("Marked resolved by {who}"),
    "sla_escalated": M("First-response target passed: escalated"),
    "reminder_sent": M("Reminder sent to the reporter"),
    "auto_closed": M("Closed automatically after a quiet period"),
    "checkins_started": M("Reporter agreed to safety check-ins"),
    "checkins_stopped": M("Reporter stopped the safety check-ins"),
    "checkin_unsafe": M('Reporter answered a safety check-in with "Not OK"'),
    "checkin_missed": M("A safety check-in went unanswered"),
    "merged_into": M("Merged into {ref} by {who}"),
    "merged_from": M("{ref} was merged into this ticket by {who}"),
    "linked": M("Linked with {ref} by {who}"),
    "erased": M("The reporter erased their data"),
}


@dataclass(frozen=True)
class EvidenceItem:
    id: int
    kind: str
    name: str | None
    mime_type: str | None
    size: int | None

    @property
    def photo(self) -> bool:
        return self.kind == "photo" or (self.mime_type or "").startswith("image/")


@dataclass(frozen=True)
class Entry:
    """One line of the thread: ``kind`` is reporter | agency | note | system."""

    at: datetime
    kind: str
    who: Text
    text: Text
    evidence: tuple[EvidenceItem, ...] = ()


@dataclass(frozen=True)
class Related:
    ref: str
    category: str
    status: str
    created_at: datetime
    reasons: tuple[str, ...] = ()
    same_reporter: bool = False
    linked: bool = False


@dataclass
class TicketPage:
    ticket: TicketRow
    copied: tuple[str, ...]
    facts: list[tuple[Text, Text | tuple[Text, ...]]]
    thread: list[Entry]
    evidence: list[EvidenceItem]
    others: list[Related]
    duplicates: list[Related]
    links: list[Related]
    merged_into: str | None
    actions: list[str]
    may_write: bool
    colleagues: list[StaffRow] = field(default_factory=list)
    # The agencies a transfer may hand the ticket to (those that may own its category).
    transfer_to: tuple[str, ...] = ()


def ticket_for(session: Session, agency: str, ref: str) -> tuple[TicketRow, tuple[str, ...]] | None:
    """The ticket and its copies when ``agency`` sees it; None for a missing or foreign one
    alike."""
    tickets = TicketRepository(session)
    ticket = tickets.get(ref)
    if ticket is None or ticket.id is None:
        return None
    copied = tuple(tickets.copies(ticket.id))
    return (ticket, copied) if access.sees(agency, ticket.owner, copied) else None


def facts(
    ticket: TicketRow, copied: tuple[str, ...], staff: dict[int, StaffRow]
) -> list[tuple[Text, Text | tuple[Text, ...]]]:
    """Every fact the bot collected, as (label, value); a tuple value is a list."""
    yes, no = M("yes"), M("no")
    rows: list[tuple[Text, Text | tuple[Text, ...]]] = [
        (M("Reference"), ticket.ref),
        (M("Status"), STATUS_LABELS.get(ticket.status, ticket.status)),
        (M("Priority"), PRIORITY_NAMES.get(ticket.priority, ticket.priority)),
        (M("Category"), category_label(ticket.category)),
        (M("Owner"), agency_name(ticket.owner)),
    ]
    if copied:
        rows.append((M("Copied to"), tuple(agency_name(a) for a in copied)))
    rows += [
        (M("Country"), country_label(ticket.country) or ticket.country or M("unknown")),
        (M("City or area"), ticket.city or M("unknown")),
    ]
    if ticket.location:
        rows.append((M("Shared location"), ticket.location))
    rows += [
        (M("About"), M("the reporter themself") if ticket.victim == "self" else M("someone else")),
    ]
    if ticket.victim_name:
        rows.append((M("Victim's name"), ticket.victim_name))
    rows += [
        (M("Victim under 18"), yes if ticket.victim_minor else no),
        (M("In danger now"), yes if ticket.danger_now else no),
        (M("Contact"), M("bot chat") if ticket.contact_method == "chat" else M("phone")),
    ]
    if ticket.contact_phone:
        rows.append((M("Phone"), ticket.contact_phone))
    if ticket.reporter_role:
        rows.append((M("Reporter's role"), ROLE_NAMES.get(ticket.reporter_role, ticket.reporter_role)))
    language = next((o.label for o in LANGUAGES if o.id == ticket.lang), ticket.lang)
    rows.append((M("Reporter's language"), language))
    try:
        details = load_json(ticket.details or "{}")
    except ValueError:
        details = {}
    for key, value in details.items() if isinstance(details, dict) else ():
        rows.append((DETAIL_LABELS.get(key) or key, detail_value(key, str(value))))
    rows.append((M("Description"), ticket.description or M("(none)")))
    if ticket.taken_by is not None:
        name = staff[ticket.taken_by].name if ticket.taken_by in staff else "?"
        rows.append((M("Handled by"), name))
    if ticket.anonymised_at is not None:
        rows.append((M("Anonymised"), yes))
    return rows


def detail_value(key: str, value: str) -> Text | tuple[Text, ...]:
    """A stored detail as the officer reads it: codes (answers, statuses, a country) as words in
    their language, as the Telegram card shows them; a code we do not know is shown as stored."""
    named: dict[str, Msg] = {}
    if key in ("victim_minor", "trafficking_signs"):
        named = ANSWERS  # "not sure" never shown as an id
    elif key == "recruiter_status":
        named = STATUS_NAMES
    elif key == "red_flag_risk":
        named = RISK_NAMES
    elif key == "emergency_country":
        return country_label(value) or value
    elif key == "red_flags":
        return tuple(red_flag_lines(value))
    elif key == "notes":
        return tuple(line for line in value.splitlines() if line.strip())
    return named.get(value, value)


def _who(actor: str, staff: dict[int, StaffRow]) -> Text:
    if actor.startswith("staff:") and actor[6:].isdigit():
        row = staff.get(int(actor[6:]))
        return row.name if row else "?"
    if actor == "reporter":
        return M("the reporter")
    return M("the system")


def thread(
    session: Session, ticket: TicketRow, agency: str, staff: dict[int, StaffRow]
) -> tuple[list[Entry], list[EvidenceItem]]:
    """The thread in time order, and the evidence sent with the report itself."""
    assert ticket.id is not None
    tickets, desk = TicketRepository(session), DeskRepository(session)
    by_message: dict[int | None, list[EvidenceItem]] = {}
    for ev in tickets.evidence(ticket.id):
        assert ev.id is not None
        by_message.setdefault(ev.message_id, []).append(
            EvidenceItem(ev.id, ev.kind, ev.name, ev.mime_type, ev.size)
        )
    entries: list[Entry] = []
    for message in tickets.thread(ticket.id):
        evidence = tuple(by_message.pop(message.id, []))
        if message.author == "reporter":
            who: Text = M("Reporter")
            kind = "reporter"
        elif is_agency(message.author):
            name = staff[message.staff_id].name if message.staff_id in staff else ""
            who = (
                M("{agency} · {name}", agency=agency_name(message.author), name=name)
                if name
                else agency_name(message.author)
            )
            kind = "agency"
        else:
            who, kind = M("Automatic message"), "system"
        entries.append(Entry(message.created_at, kind, who, message.text, evidence))
    for note in desk.notes(ticket.id):
        if note.agency == agency:  # an agency's notes are its own, not the copied agency's
            name = staff[note.staff_id].name if note.staff_id in staff else "?"
            entries.append(Entry(note.created_at, "note", M("Private note · {name}", name=name), note.text))
    audit = session.exec(
        select(AuditRow).where(AuditRow.ticket_id == ticket.id).order_by(col(AuditRow.at), col(AuditRow.id))
    )
    for event in audit:
        template = EVENTS.get(event.action)
        if template is None:
            continue
        try:
            data = load_json(event.data) or {}
        except ValueError:
            data = {}
        ref = str(data.get("ref", "")) if isinstance(data, dict) else ""
        params = {
            k: v
            for k, v in (("who", _who(event.actor, staff)), ("ref", ref))
            if "{" + k + "}" in template.msgid
        }
        entries.append(Entry(event.at, "system", M("System"), M(template.msgid, **params)))
    order = {"system": 0, "reporter": 1, "agency": 2, "note": 3}
    entries.sort(key=lambda e: (e.at, order[e.kind]))
    loose = [item for items in by_message.values() for item in items]
    return entries, loose


def _related(ticket: TicketRow, **extra: object) -> Related:
    return Related(ticket.ref, ticket.category, ticket.status, ticket.created_at, **extra)  # type: ignore[arg-type]


def page(
    session: Session,
    ticket: TicketRow,
    copied: tuple[str, ...],
    agency: str,
    staff_id: int,
    secret: bytes,
    key_id: str,
) -> TicketPage:
    assert ticket.id is not None
    staff = {s.id: s for s in session.exec(select(StaffRow)) if s.id is not None}
    entries, loose = thread(session, ticket, agency, staff)
    tickets, desk = TicketRepository(session), DeskRepository(session)

    def seen(other: TicketRow) -> bool:
        return other.id is not None and access.sees(agency, other.owner, tickets.copies(other.id))

    others = []
    if ticket.reporter_user_id is not None:
        others = [
            _related(t)
            for t in tickets.list_for_reporter(ticket.reporter_user_id)
            if t.id != ticket.id and seen(t)
        ]
    links, merged_into = [], None
    linked_ids = set()
    for link in desk.links(ticket.id):
        other_id = link.other_id if link.ticket_id == ticket.id else link.ticket_id
        other = session.get(TicketRow, other_id)
        if other is None or not seen(other):
            continue
        linked_ids.add(other_id)
        if link.kind == "merged" and link.ticket_id == ticket.id:
            merged_into = other.ref
        links.append(_related(other, reasons=(link.kind,)))
    duplicates = []
    for other_id, kinds in candidates(session, secret, key_id, ticket.id).items():
        other = session.get(TicketRow, other_id)
        if other is None or not seen(other):
            continue
        same = other.reporter_user_id is not None and other.reporter_user_id == ticket.reporter_user_id
        duplicates.append(
            _related(other, reasons=tuple(kinds), same_reporter=same, linked=other_id in linked_ids)
        )
    owner_acts = access.actions(agency, ticket.owner, copied, ticket.status, ticket.taken_by)
    in_use = agencies.in_use()
    transfer_to = in_use.owners_for(ticket.category, besides=ticket.owner) if in_use is not None else ()
    if not transfer_to:
        owner_acts = [a for a in owner_acts if a != "transfer"]
    colleagues = [s for s in staff.values() if s.agency == agency and s.active]
    colleagues.sort(key=lambda s: s.name)
    return TicketPage(
        ticket=ticket,
        copied=copied,
        facts=facts(ticket, copied, staff),
        thread=entries,
        evidence=loose,
        others=others,
        duplicates=duplicates,
        links=links,
        merged_into=merged_into,
        actions=owner_acts,
        may_write=access.may_write(agency, ticket.owner, copied),
        colleagues=colleagues,
        transfer_to=transfer_to,
    )
