"""The application service: one incoming update in, one transaction, messages out.

For a person: load their state, run the pure engine, store the new state and act on its events
(consent, tickets, thread messages, erasure), queue the replies and staff cards in the outbox, and
commit all of it at once. For an officer: check who they are and which agency's ticket it is, change
the ticket, record the audit event, update the cards and tell the reporter, again in one
transaction. Telegram adapters and the terminal chat only translate to and from this."""

from __future__ import annotations

import json
import logging
import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from bot import care
from bot.agencies import load_agencies
from bot.config import Settings
from bot.i18n import renderer
from bot.notices import STAFF_LANG, Notices, staff_text, whole_ticket_lines
from bot.outgoing import PRIORITY, Outgoing, render_reply
from bot.privacy import Flood, FloodGuard, clean_incoming, clean_text, protect
from bot.understanding import Understanding
from flows import notices as texts
from flows import officer_answers as answers
from flows import ticket_rules as rules
from flows.contacts import Contacts
from flows.engine import step
from flows.events import (
    CareEvent,
    ChatDeletionRequested,
    ConsentGiven,
    DataErasureRequested,
    Event,
    LanguageChanged,
    NoticesChosen,
    ReporterMessageAdded,
    RoleChosen,
    TicketOpened,
)
from flows.incoming import CommandIn, Incoming, TextIn
from flows.menu import canonical
from flows.ports import Context, RecruiterLookup
from flows.reference import new_reference, normalise_reference
from flows.replies import Urgency
from flows.routing import RoutingTable
from flows.staff import may_act, parse_action
from flows.state import State
from storage.desk import DeskRepository
from storage.outbox import Queued
from storage.recruiter_search import RegistryIndex, registry_fingerprint
from storage.tables import TicketRow, UserRow
from storage.ticket_reader import DbTicketReader
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


def load_json(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


class Helpline:
    def __init__(
        self,
        db: Engine,
        settings: Settings,
        *,
        registry: RecruiterLookup | None = None,
        clock: Callable[[], datetime] = utcnow,
        random_bytes: Callable[[int], bytes] = secrets.token_bytes,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        fmt: str = "html",
        use_outbox: bool = True,
    ) -> None:
        # Everything this service writes through ``db`` is encrypted with the configured key.
        self.db, self.settings, self.clock = protect(db, settings), settings, clock
        self.flood = FloodGuard.from_settings(settings)
        self.random_bytes, self.new_id = random_bytes, new_id
        self.fmt = "plain" if fmt == "plain" else "html"
        self.use_outbox = use_outbox
        data = settings.helpline_data_dir
        self.contacts = Contacts.from_dict(load_json(data / "contacts.json"))
        # Checked at start: a malformed agencies or routing file stops the bot with its reason.
        self.agencies = load_agencies(data)
        self.routing = RoutingTable.from_dict(load_json(data / "routing.json"), self.agencies)
        self.understand = Understanding.from_file(data / "countries.json")
        self.sla = settings.sla()
        self.staff_chats = settings.staff_chats(self.agencies)
        self.chat_agency = {chat: agency for agency, chat in self.staff_chats.items()}
        self.notices = Notices(self.staff_chats, self.fmt)
        self._registry_seen: tuple[object, ...] = ()
        self.registry: RecruiterLookup = registry or self.load_registry()

    def load_registry(self) -> RegistryIndex:
        with UnitOfWork(self.db) as uow:
            self._registry_seen = registry_fingerprint(uow.session)
            return RegistryIndex.load(uow.session)

    def reload_registry(self) -> None:
        self.registry = self.load_registry()

    def refresh_registry(self) -> bool:
        """Reloads the recruiter index when the registry table changed since it was loaded (an
        import run beside the running bot); True when it did. A cheap query when nothing changed."""
        with UnitOfWork(self.db) as uow:
            if registry_fingerprint(uow.session) == self._registry_seen:
                return False
        # Built aside and swapped in one assignment: searches meanwhile use the old index.
        self.registry = self.load_registry()
        return True

    # -- people ------------------------------------------------------------------------------
    def handle(
        self,
        telegram_id: int,
        incoming: Incoming,
        *,
        update_id: int | None = None,
        reply_to_message_id: int | None = None,
        message_id: int | None = None,
        sent_at: datetime | None = None,
    ) -> list[Outgoing]:
        """Process one message from a person. A redelivered update (same id) does nothing, nor
        does one over the flood limit (after a single "slow down"). ``message_id`` and
        ``sent_at`` place the Telegram message in the person's chat, for /hapus to delete."""
        now = self.clock()
        # The emergency numbers are never withheld, not even from someone sending too fast.
        emergency = isinstance(incoming, CommandIn) and canonical(incoming.name) == "darurat"
        flood = self.flood.check(telegram_id, now)
        if flood is not Flood.OK and not emergency:
            log.info("flood limit: update dropped")
            return self._slow_down(telegram_id, now) if flood is Flood.WARN else []
        incoming = clean_incoming(incoming)
        with UnitOfWork(self.db) as uow:
            # The message's id only, for 48 hours: Telegram lets the bot delete the person's
            # messages in their private chat, which protects someone whose phone is checked.
            kept = None if message_id is None else (message_id, (sent_at or now).astimezone(UTC))
            started = uow.start_update(telegram_id, update_id, now, kept)
            if started is None:
                return []
            user, raw, version = started.user, started.state, started.version
            state = (
                State.from_dict(raw) if raw else State(lang=user.lang or self.settings.helpline_default_lang)
            )
            # Which notice they agreed to is recorded on the user row (a state saved before the
            # state kept it says nothing): the engine asks again when the notice has changed.
            state.consent_version = user.consent_version
            if isinstance(incoming, TextIn) and reply_to_message_id is not None:
                link = uow.links.find(telegram_id, reply_to_message_id)
                if link is not None:
                    incoming = TextIn(incoming.text, reply_to_ref=link[0])
            ctx = Context(
                now=now,
                new_ref=lambda: self._fresh_ref(uow),
                new_id=self.new_id,
                registry=self.registry,
                tickets=DbTicketReader(uow.session, _id(user)),
                contacts=self.contacts,
                routing=self.routing,
                understand=self.understand,
            )
            result = step(state, incoming, ctx)
            out: list[Outgoing] = []
            erased = False
            for event in result.events:
                erased |= self._apply(uow, user, result.state, event, now, out)
            render = renderer(result.state.lang, self.fmt)  # type: ignore[arg-type]
            replies = [render_reply(telegram_id, r, render) for r in result.replies]
            if not erased:
                uow.conversations.save(_id(user), result.state.to_dict(), version, now)
            messages = self.queue(uow, replies + out, now)
            uow.commit()
        return messages

    def _fresh_ref(self, uow: UnitOfWork) -> str:
        """A random reference not used before (a clash in 2^40 is unlikely, but checked)."""
        while True:
            ref = new_reference(self.random_bytes)
            if not uow.tickets.ref_exists(ref):
                return ref

    def _apply(
        self, uow: UnitOfWork, user: UserRow, state: State, event: Event, now: datetime, out: list[Outgoing]
    ) -> bool:
        """Act on one engine event; True when the person's data was erased."""
        if isinstance(event, ConsentGiven):
            uow.users.record_consent(user, event.version, event.lang, event.scope, event.at)
        elif isinstance(event, LanguageChanged):
            uow.users.set_lang(user, event.lang)
        elif isinstance(event, RoleChosen):
            uow.users.set_role(user, event.role)
        elif isinstance(event, NoticesChosen):
            uow.users.set_reads_safely(user, event.reads_safely)
        elif isinstance(event, TicketOpened):
            due = rules.first_response_due(event.ticket.created_at, event.ticket.priority, self.sla)
            ticket, created = uow.tickets.open(event.ticket, _id(user), due)
            if created:
                log.info(
                    "ticket opened ref=%s priority=%s owner=%s", ticket.ref, ticket.priority, ticket.owner
                )
                if event.ticket.country and event.ticket.country != "other":
                    uow.users.set_country(user, event.ticket.country)
                out += self.notices.cards(uow, ticket, edit=False)
        elif isinstance(event, ReporterMessageAdded):
            found = self._current(uow, event.ref)
            if found is None or found.reporter_user_id != _id(user):
                return False
            uow.tickets.add_message(found, "reporter", event.text, now, evidence=event.evidence)
            # A ticket waiting on its reporter goes back to whoever works on it.
            uow.tickets.apply(found.ref, "reporter_wrote", now)
            uow.audit.record(
                found.id, "reporter", "reporter_message", {"danger": True} if event.danger else {}, now
            )
            wrote = texts.reporter_wrote(event.text)
            if event.danger:
                # Words of danger in the thread: the ticket becomes urgent and its owner is
                # alerted under the card at once, as for a "Not OK" check-in.
                out += care.alarm(
                    self.notices,
                    uow,
                    found,
                    "danger_words",
                    texts.danger_words(found.ref, event.text),
                    now,
                )
                out += self.notices.to_staff(uow, found, wrote, exclude=found.owner)
            else:
                out += self.notices.to_staff(uow, found, wrote)
        elif isinstance(event, DataErasureRequested):
            self._erase(uow, user, now, out)
            return True
        elif isinstance(event, ChatDeletionRequested):
            # Empty text: the runtime deletes the chat's messages instead of sending one.
            out.append(Outgoing(user.telegram_id, "", priority=PRIORITY[Urgency.URGENT], kind="delete_chat"))
        elif isinstance(event, CareEvent):
            out += care.on_event(self.notices, self.settings, uow, _id(user), event)
        return False

    # -- staff -------------------------------------------------------------------------------
    def staff_press(
        self, telegram_id: int, chat_id: int, data: str, *, update_id: int | None = None
    ) -> tuple[str, list[Outgoing]]:
        """A staff button. Returns the short answer for the button and the messages to send."""
        now = self.clock()
        parsed = parse_action(data)
        with UnitOfWork(self.db) as uow:
            if update_id is not None and not uow.updates.claim("telegram", update_id, now):
                return "", []
            if parsed is None:
                return staff_text(answers.BUTTON_NOT_VALID), []
            action, ref, target = parsed
            answer, _, out = self._act(
                uow,
                telegram_id,
                self.chat_agency.get(chat_id),
                action,
                ref,
                now,
                {"chat": chat_id},
                target=target,
            )
            uow.commit()
        return staff_text(answer), out

    def staff_act(
        self,
        telegram_id: int,
        agency: str,
        action: str,
        ref: str,
        *,
        staff_id: int | None = None,
        to_agency: str | None = None,
    ) -> tuple[str, bool]:
        """An officer's action from the web console, acting for ``agency``: the same checks,
        change, audit event, card updates and notice to the reporter as the button in that
        agency's chat. ``assign`` gives the ticket to the colleague ``staff_id``; ``transfer``
        to ``to_agency`` (needed when several agencies may own the ticket). Returns the answer
        to show and whether anything changed."""
        now = self.clock()
        with UnitOfWork(self.db) as uow:
            answer, changed, _ = self._act(
                uow,
                telegram_id,
                agency,
                action,
                ref,
                now,
                {"via": "console"},
                assignee=staff_id,
                target=to_agency,
            )
            uow.commit()
        return staff_text(answer), changed

    def _act(
        self,
        uow: UnitOfWork,
        telegram_id: int,
        agency: str | None,
        action: str,
        ref: str,
        now: datetime,
        where: dict[str, Any],
        *,
        assignee: int | None = None,
        target: str | None = None,
    ) -> tuple[Any, bool, list[Outgoing]]:
        ticket = uow.tickets.get(ref)
        allowed, staff = self._staff_allowed(uow, telegram_id, agency, action, ticket)
        if ticket is None or staff is None or not allowed or agency is None:
            log.info("staff action refused action=%s ref=%s", action, ref)
            self._refused(uow, ticket, telegram_id, action, now, where)
            return answers.NOT_ALLOWED, False, []
        out: list[Outgoing] = []
        if action == "assign":
            answer, changed = self._assign(uow, ticket, assignee, agency, now, out)
        elif action == "transfer":
            answer, changed, target = self._transfer(uow, ticket, target, where.get("chat"), now, out)
        else:
            answer, changed = self._staff_action(uow, ticket, action, staff, agency, now, out)
        if changed:
            data = {k: v for k, v in where.items() if k == "via"}
            if action == "assign":
                data["to"] = assignee
            elif action == "transfer":
                data["to"] = target
            uow.audit.record(ticket.id, f"staff:{staff.id}", action, data, now)
            fresh = uow.tickets.get(ref)
            assert fresh is not None
            out += self.notices.cards(uow, fresh, edit=True)
        return answer, changed, self.queue(uow, out, now)

    def _assign(
        self,
        uow: UnitOfWork,
        ticket: TicketRow,
        assignee: int | None,
        agency: str,
        now: datetime,
        out: list[Outgoing],
    ) -> tuple[Any, bool]:
        colleague = next((s for s in uow.staff.list(agency) if s.id == assignee), None)
        if colleague is None or colleague.id is None:
            return answers.NOTHING_CHANGED, False
        first = ticket.taken_by is None
        if not uow.tickets.assign(ticket.ref, colleague.id, now):
            return answers.NOTHING_CHANGED, False
        if first:
            out += self._taken_notice(uow, ticket, agency)
        return answers.assigned(colleague.name), True

    def _transfer(
        self,
        uow: UnitOfWork,
        ticket: TicketRow,
        target: str | None,
        chat: int | None,
        now: datetime,
        out: list[Outgoing],
    ) -> tuple[Any, bool, str | None]:
        """To ``target``, one of the agencies that may own the ticket's category
        (data/agencies.json). Without a target: the only such agency, or, when there are several,
        a choice of them under the card in ``chat`` (the console asks in its form)."""
        targets = self.agencies.owners_for(ticket.category, besides=ticket.owner)
        if target is None and len(targets) == 1:
            target = targets[0]
        if target is None:
            if not targets:
                return answers.NO_TRANSFER_TARGET, False, None
            if chat is not None:
                out += self.notices.transfer_choices(ticket, chat, targets)
                return answers.CHOOSE_UNDER_CARD, False, None
            return answers.CHOOSE_TARGET, False, None
        if target not in targets or not uow.tickets.transfer(ticket.ref, target, now):
            return answers.NOTHING_CHANGED, False, None
        fresh = uow.tickets.get(ticket.ref)
        assert fresh is not None
        out += self.notices.cards(uow, fresh, edit=False, only=target)
        if target not in self.staff_chats:
            return answers.transferred_without_chat(target), True, target
        return answers.transferred(target), True, target

    def _taken_notice(self, uow: UnitOfWork, ticket: TicketRow, agency: str) -> list[Outgoing]:
        """To the reporter when an officer first has their ticket (taken or assigned); discreet
        unless they chose to read such messages safely."""
        return self.notices.to_reporter(
            uow,
            ticket,
            texts.taken(agency, ticket.ref),
            discreet=texts.TAKEN_DISCREET,
        )

    def _staff_action(
        self,
        uow: UnitOfWork,
        ticket: TicketRow,
        action: str,
        staff: Any,
        agency: str,
        now: datetime,
        out: list[Outgoing],
    ) -> tuple[Any, bool]:
        if action == "take":
            if not uow.tickets.take(ticket.ref, staff.id, now):
                return answers.ALREADY_TAKEN, False
            out += self._taken_notice(uow, ticket, agency)
            return answers.taken(ticket.ref), True
        if action == "close":
            if not uow.tickets.close(ticket.ref, now):
                return answers.NOTHING_CHANGED, False
            notice, discreet = texts.closed(ticket.ref)
            out += self.notices.to_reporter(uow, ticket, notice, discreet=discreet)
            return answers.CLOSED, True
        if action == "resolve":
            return care.resolve(self.notices, uow, ticket, now, out)
        if action != "reopen":
            # Named, never the fallthrough: an action added to the ticket model but not here
            # must change nothing rather than reopen a closed ticket.
            log.warning("staff action not handled action=%s ref=%s", action, ticket.ref)
            return answers.BUTTON_NOT_VALID, False
        if not uow.tickets.reopen(ticket.ref, now):
            return answers.NOTHING_CHANGED, False
        return answers.REOPENED, True

    def staff_reply(
        self,
        telegram_id: int,
        chat_id: int,
        text: str,
        *,
        reply_to_message_id: int | None = None,
        ref: str | None = None,
        update_id: int | None = None,
    ) -> tuple[str | None, list[Outgoing]]:
        """An officer answers a ticket (a reply to its card, or /reply REF text). Returns an
        error text for the officer when refused, and the messages to send."""
        now = self.clock()
        text = clean_text(text)
        with UnitOfWork(self.db) as uow:
            if update_id is not None and not uow.updates.claim("telegram", update_id, now):
                return None, []
            if ref is None and reply_to_message_id is not None:
                link = uow.links.find(chat_id, reply_to_message_id)
                ref = link[0] if link else None
            if ref is None:
                uow.commit()
                return None, []  # an ordinary message in the staff group, not for us
            # Not a reference at all: no ticket, refused below like any other.
            ref = normalise_reference(clean_text(ref)) or ""
            error, out = self._answer(
                uow, telegram_id, self.chat_agency.get(chat_id), ref, text, now, {"chat": chat_id}
            )
            uow.commit()
        return error, out

    def staff_merge(
        self, telegram_id: int, agency: str, source_ref: str, target_ref: str
    ) -> tuple[str, bool]:
        """Merge a ticket into another one of the same reporter (they reported the same case
        twice), from the web console: its thread and evidence join the other ticket, it closes
        as merged, and the reporter is told to use the reference that stays (a message still
        sent to the merged one joins it too). Only the owning agency of both may merge."""
        now = self.clock()
        with UnitOfWork(self.db) as uow:
            source, target = uow.tickets.get(source_ref), uow.tickets.get(target_ref)
            ok_source, staff = self._staff_allowed(uow, telegram_id, agency, "close", source)
            ok_target, _ = self._staff_allowed(uow, telegram_id, agency, "close", target)
            if source is None or target is None or staff is None or not (ok_source and ok_target):
                for ticket in (source, target):
                    self._refused(uow, ticket, telegram_id, "merge", now, {"via": "console"})
                uow.commit()
                return staff_text(answers.NOT_ALLOWED), False
            desk = DeskRepository(uow.session)
            if (
                source.id == target.id
                or source.reporter_user_id is None
                or source.reporter_user_id != target.reporter_user_id
                or not rules.may_merge_into(target.status)
                or desk.merged_into(_tid(source)) is not None
                or desk.merged_into(_tid(target)) is not None
            ):
                return staff_text(answers.CANNOT_MERGE), False
            uow.tickets.move_thread(_tid(source), _tid(target))
            uow.tickets.close(source.ref, now, "merge")
            desk.link(_tid(source), _tid(target), "merged", staff.id, now)
            actor = f"staff:{staff.id}"
            uow.audit.record(source.id, actor, "merged_into", {"ref": target.ref, "via": "console"}, now)
            uow.audit.record(target.id, actor, "merged_from", {"ref": source.ref, "via": "console"}, now)
            notice, discreet = texts.merged(source.ref, target.ref)
            out = self.notices.to_reporter(uow, target, notice, discreet=discreet)
            for ref in (source.ref, target.ref):
                fresh = uow.tickets.get(ref)
                assert fresh is not None
                out += self.notices.cards(uow, fresh, edit=True)
            self.queue(uow, out, now)
            uow.commit()
        return staff_text(answers.merged(source.ref, target.ref)), True

    def _current(self, uow: UnitOfWork, ref: str) -> TicketRow | None:
        """The ticket of ``ref``, or the one it was merged into: the reporter's old reference
        keeps working."""
        ticket = uow.tickets.get(ref)
        if ticket is None or ticket.id is None:
            return ticket
        into = DeskRepository(uow.session).merged_into(ticket.id)
        return ticket if into is None else uow.session.get(TicketRow, into)

    def staff_answer(self, telegram_id: int, agency: str, ref: str, text: str) -> str | None:
        """An officer's answer written in the web console for ``agency``: it reaches the
        reporter exactly as a reply in the staff chat does ("Petugas KP2MI: ..."). Returns an
        error text when refused or empty, None when queued."""
        now = self.clock()
        with UnitOfWork(self.db) as uow:
            error, _ = self._answer(uow, telegram_id, agency, ref, clean_text(text), now, {"via": "console"})
            uow.commit()
        return error

    def _answer(
        self,
        uow: UnitOfWork,
        telegram_id: int,
        agency: str | None,
        ref: str,
        text: str,
        now: datetime,
        where: dict[str, Any],
    ) -> tuple[str | None, list[Outgoing]]:
        ticket = uow.tickets.get(ref)
        allowed, staff = self._staff_allowed(uow, telegram_id, agency, "reply", ticket)
        if ticket is None or staff is None or not allowed or agency is None or not text.strip():
            if not allowed:
                self._refused(uow, ticket, telegram_id, "reply", now, where)
            return staff_text(answers.NOT_ALLOWED_TO_ANSWER if text.strip() else answers.EMPTY_ANSWER), []
        uow.tickets.add_message(ticket, agency, text.strip(), now, staff_id=staff.id)
        care.officer_answered(uow, ticket, now)
        uow.audit.record(
            ticket.id, f"staff:{staff.id}", "answered", {k: v for k, v in where.items() if k == "via"}, now
        )
        out = self.notices.to_reporter(
            uow,
            ticket,
            texts.officer_answer(agency, text.strip()),
            link="agency_answer",
        )
        return None, self.queue(uow, out, now)

    def staff_view(
        self, telegram_id: int, chat_id: int, ref: str, *, update_id: int | None = None
    ) -> tuple[str | None, list[Outgoing]]:
        """``/lihat REF`` (``/view``) in an agency chat: the ticket's card and thread, posted to
        that chat only, and recorded as a read in the audit trail. Returns an error text for the
        officer when refused, and the messages to send."""
        now = self.clock()
        with UnitOfWork(self.db) as uow:
            if update_id is not None and not uow.updates.claim("telegram", update_id, now):
                return None, []
            if not ref.strip():
                uow.commit()
                return staff_text(answers.VIEW_USAGE), []
            ticket = uow.tickets.get(normalise_reference(clean_text(ref)) or "")
            allowed, staff = self._staff_allowed(
                uow, telegram_id, self.chat_agency.get(chat_id), "view", ticket
            )
            if ticket is None or staff is None or not allowed:
                self._refused(uow, ticket, telegram_id, "view", now, {"chat": chat_id})
                uow.commit()
                # The same answer for a missing ticket and another agency's: no probing.
                return staff_text(answers.NOT_ALLOWED_TO_SEE), []
            uow.audit.record(ticket.id, f"staff:{staff.id}", "viewed", {}, now)
            agency = self.chat_agency[chat_id]
            out = self.notices.cards(uow, ticket, edit=False, only=agency)
            render = renderer(STAFF_LANG, self.fmt)  # type: ignore[arg-type]
            # Under the card, the whole of it: every fact, then every message with its time.
            # Texts are the writers' own (str parameters): the renderer escapes them.
            whole = whole_ticket_lines(uow, ticket)
            out.append(
                Outgoing(
                    chat_id,
                    render.lines((texts.heading(ticket.ref), *whole)),
                    kind="notice",
                    ticket_ref=ticket.ref,
                )
            )
            out = self.queue(uow, out, now)
            uow.commit()
        return None, out

    def _refused(
        self,
        uow: UnitOfWork,
        ticket: TicketRow | None,
        telegram_id: int,
        action: str,
        now: datetime,
        where: dict[str, Any],
    ) -> None:
        """A refused staff attempt on an existing ticket is an audit event: an insider probing
        another agency's cases leaves a trace. ``where``: the chat, or the console."""
        if ticket is not None:
            uow.audit.record(
                ticket.id, f"telegram:{telegram_id}", "refused", {"action": action, **where}, now
            )

    def _staff_allowed(
        self,
        uow: UnitOfWork,
        telegram_id: int,
        chat_agency: str | None,
        action: str,
        ticket: TicketRow | None,
    ) -> tuple[bool, Any]:
        """May this Telegram user, acting for ``chat_agency`` (its staff chat's, or the agency
        they logged in to the console for), do ``action``; and their staff row there."""
        memberships = uow.staff.memberships(telegram_id)
        agencies = {m.agency for m in memberships}
        staff = next((m for m in memberships if m.agency == chat_agency), None)
        if ticket is None:
            return False, staff
        copied = tuple(uow.tickets.copies(_tid(ticket)))
        return may_act(action, agencies, chat_agency, ticket.owner, copied), staff

    def _slow_down(self, telegram_id: int, now: datetime) -> list[Outgoing]:
        """The one answer to a flood, in the person's language; nothing else is touched."""
        with UnitOfWork(self.db) as uow:
            user = uow.users.get(telegram_id)
            lang = user.lang if user is not None else self.settings.helpline_default_lang
            render = renderer(lang, self.fmt)  # type: ignore[arg-type]
            out = [
                Outgoing(
                    telegram_id,
                    render.text(texts.SLOW_DOWN),
                )
            ]
            out = self.queue(uow, out, now)
            uow.commit()
        return out

    def queue(self, uow: UnitOfWork, messages: list[Outgoing], now: datetime) -> list[Outgoing]:
        """Write the messages to the outbox (in the caller's transaction) and return those that
        go anywhere: a notice for a reporter who is gone, or an empty text, is dropped."""
        kept = [m for m in messages if m.chat_id and (m.text or m.kind == "delete_chat")]
        if self.use_outbox:
            # One row per message Telegram gets (Outgoing.pieces): a long text's pieces are
            # sent, retried and recorded for /hapus each on its own.
            uow.outbox.enqueue_many(
                [
                    Queued(p.chat_id, p.payload(), p.priority, p.kind, p.ticket_ref)
                    for m in kept
                    for p in m.pieces()
                ],
                now,
            )
        return kept

    # -- erasure -----------------------------------------------------------------------------
    def _erase(self, uow: UnitOfWork, user: UserRow, now: datetime, out: list[Outgoing]) -> None:
        """UU PDP erasure: open tickets are closed with a notice to their agency, every ticket of
        the person is anonymised, and the person's row and conversation are deleted."""
        for ticket in uow.tickets.list_for_reporter(_id(user)):
            if uow.tickets.close(ticket.ref, now, "erase"):
                out += self.notices.to_staff(uow, ticket, texts.ERASED)
            uow.tickets.anonymise(ticket.ref, now)
            uow.audit.record(ticket.id, "reporter", "erased", {}, now)
        uow.users.erase(user)
        log.info("personal data erased on request")


def _id(user: UserRow) -> int:
    assert user.id is not None
    return user.id


def _tid(ticket: TicketRow) -> int:
    assert ticket.id is not None
    return ticket.id
