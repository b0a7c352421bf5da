"""The ticket page and what is done from it: status actions, the answer to the reporter (through
the service and the outbox, exactly as a reply in the staff chat), private notes, canned
replies, evidence, links and merges.

A ticket that does not exist and one of another agency get the same refusal page; a refused look
at an existing ticket and every view are audit events (a view is a page load: the thread's
reloading every few seconds is the same view)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from bot.i18n import renderer
from console import evidence as files
from console import ticket_view
from console.web import Desk, Officer, fingerprint, unchanged
from flows.reference import normalise_reference
from flows.text import M, Msg
from storage.desk import DeskRepository
from storage.tables import EvidenceRow, TicketRow, UserRow
from storage.uow import UnitOfWork

THREAD_REFRESH_SECONDS = 5
NOTE_LIMIT = 4000
ANSWER_LIMIT = 4000


def router(desk: Desk) -> APIRouter:
    r = APIRouter()

    def text(officer: Officer, msg: Msg) -> str:
        return renderer(officer.lang, "plain").text(msg)

    def refused(request: Request, officer: Officer, ref: str, action: str) -> Response:
        """The one answer for a missing ticket and a foreign one; the foreign look is audited."""
        with UnitOfWork(desk.db) as uow:
            ticket = uow.tickets.get(ref)
            if ticket is not None:
                uow.audit.record(
                    ticket.id,
                    f"telegram:{officer.telegram_id}",
                    "refused",
                    {"action": action, "via": "console"},
                    desk.clock(),
                )
                uow.commit()
        return desk.page(request, "refused.html", officer.lang, status_code=404, officer=officer)

    def reference(ref: str) -> str:
        return normalise_reference(ref[:40]) or ""

    def reporter_lang(uow: UnitOfWork, ticket: TicketRow) -> str:
        user = uow.session.get(UserRow, ticket.reporter_user_id) if ticket.reporter_user_id else None
        return (user.lang if user else None) or ticket.lang

    @r.get("/tickets/{ref}")
    def ticket_page(request: Request, ref: str, officer: Officer = Depends(desk.officer)) -> Response:
        ref = reference(ref)
        with UnitOfWork(desk.db) as uow:
            found = ticket_view.ticket_for(uow.session, officer.agency, ref)
            if found is None:
                uow.rollback()
                return refused(request, officer, ref, "view")
            ticket, copied = found
            uow.audit.record(
                ticket.id, f"staff:{officer.staff_id}", "viewed", {"via": "console"}, desk.clock()
            )
            data = ticket_view.page(
                uow.session, ticket, copied, officer.agency, officer.staff_id, desk.secret, desk.key_id
            )
            lang = reporter_lang(uow, ticket)
            uow.commit()
        canned = [(c.id, c.title.get(officer.lang) or c.title[lang]) for c in desk.canned]
        return desk.page(
            request,
            "ticket.html",
            officer.lang,
            officer=officer,
            p=data,
            canned=canned,
            thread_fp=fingerprint(data.thread),
            refresh=THREAD_REFRESH_SECONDS,
            labels=ticket_view,
        )

    @r.get("/tickets/{ref}/thread")
    def thread(request: Request, ref: str, officer: Officer = Depends(desk.officer)) -> Response:
        ref = reference(ref)
        with UnitOfWork(desk.db) as uow:
            found = ticket_view.ticket_for(uow.session, officer.agency, ref)
            if found is not None:
                ticket, _ = found
                staff = {s.id: s for s in uow.staff.list() if s.id is not None}
                entries, _loose = ticket_view.thread(uow.session, ticket, officer.agency, staff)
        if found is None:
            return refused(request, officer, ref, "view")
        digest = fingerprint(entries)
        if (same := unchanged(request, digest)) is not None:
            return same
        return desk.page(
            request,
            "thread.html",
            officer.lang,
            officer=officer,
            ticket=ticket,
            thread=entries,
            thread_fp=digest,
            refresh=THREAD_REFRESH_SECONDS,
        )

    @r.post("/tickets/{ref}/act")
    async def act(
        request: Request,
        ref: str,
        action: str = Form(""),
        assignee: str = Form(""),
        to_agency: str = Form(""),
        officer: Officer = Depends(desk.posting),
    ) -> Response:
        ref = reference(ref)
        answer, _ = await run_in_threadpool(
            desk.helpline.staff_act,
            officer.telegram_id,
            officer.agency,
            action,
            ref,
            staff_id=int(assignee) if assignee.isdigit() else None,
            to_agency=to_agency or None,
        )
        desk.flash(officer, answer)
        return desk.redirect(request, f"/tickets/{ref}")

    @r.post("/tickets/{ref}/reply")
    async def reply(
        request: Request, ref: str, body: str = Form(""), officer: Officer = Depends(desk.posting)
    ) -> Response:
        ref = reference(ref)
        error = await run_in_threadpool(
            desk.helpline.staff_answer, officer.telegram_id, officer.agency, ref, body[:ANSWER_LIMIT]
        )
        desk.flash(officer, error or text(officer, M("Answer sent to the reporter.")))
        return desk.redirect(request, f"/tickets/{ref}")

    @r.post("/tickets/{ref}/note")
    def note(
        request: Request, ref: str, body: str = Form(""), officer: Officer = Depends(desk.posting)
    ) -> Response:
        ref = reference(ref)
        body = body.replace("\x00", "").strip()[:NOTE_LIMIT]
        with UnitOfWork(desk.db) as uow:
            found = ticket_view.ticket_for(uow.session, officer.agency, ref)
            if found is None:
                uow.rollback()
                return refused(request, officer, ref, "note")
            ticket, _ = found
            assert ticket.id is not None
            if body:
                now = desk.clock()
                DeskRepository(uow.session).add_note(ticket.id, officer.staff_id, officer.agency, body, now)
                uow.audit.record(ticket.id, f"staff:{officer.staff_id}", "noted", {"via": "console"}, now)
                uow.commit()
        desk.flash(officer, text(officer, M("Note saved.") if body else M("The note is empty.")))
        return desk.redirect(request, f"/tickets/{ref}")

    @r.get("/tickets/{ref}/canned")
    def canned(
        request: Request, ref: str, canned: str = "", officer: Officer = Depends(desk.officer)
    ) -> Response:
        ref = reference(ref)
        with UnitOfWork(desk.db) as uow:
            found = ticket_view.ticket_for(uow.session, officer.agency, ref)
            lang = reporter_lang(uow, found[0]) if found is not None else ""
        if found is None:
            return refused(request, officer, ref, "view")
        chosen = next((c for c in desk.canned if c.id == canned), None)
        body = chosen.text.get(lang, chosen.text["id"]) if chosen else ""
        return desk.page(request, "reply_box.html", officer.lang, officer=officer, body=body)

    @r.post("/tickets/{ref}/link")
    def link(
        request: Request, ref: str, other: str = Form(""), officer: Officer = Depends(desk.posting)
    ) -> Response:
        ref, other = reference(ref), reference(other)
        with UnitOfWork(desk.db) as uow:
            one = ticket_view.ticket_for(uow.session, officer.agency, ref)
            two = ticket_view.ticket_for(uow.session, officer.agency, other)
            if one is None or two is None or one[0].id == two[0].id:
                uow.rollback()
                return refused(request, officer, ref if one is None else other, "link")
            a, b = one[0], two[0]
            assert a.id is not None and b.id is not None
            now = desk.clock()
            if DeskRepository(uow.session).link(a.id, b.id, "related", officer.staff_id, now):
                actor = f"staff:{officer.staff_id}"
                uow.audit.record(a.id, actor, "linked", {"ref": b.ref, "via": "console"}, now)
                uow.audit.record(b.id, actor, "linked", {"ref": a.ref, "via": "console"}, now)
                uow.commit()
        desk.flash(officer, text(officer, M("Linked with {ref}.", ref=other)))
        return desk.redirect(request, f"/tickets/{ref}")

    @r.post("/tickets/{ref}/merge")
    async def merge(
        request: Request, ref: str, other: str = Form(""), officer: Officer = Depends(desk.posting)
    ) -> Response:
        """Merge the ticket ``other`` into this one."""
        ref, other = reference(ref), reference(other)
        answer, _ = await run_in_threadpool(
            desk.helpline.staff_merge, officer.telegram_id, officer.agency, other, ref
        )
        desk.flash(officer, answer)
        return desk.redirect(request, f"/tickets/{ref}")

    @r.get("/tickets/{ref}/evidence/{evidence_id}")
    async def evidence(
        request: Request, ref: str, evidence_id: int, officer: Officer = Depends(desk.officer)
    ) -> Response:
        ref = reference(ref)

        def look() -> tuple[EvidenceRow, int | None, str | None] | None:
            with UnitOfWork(desk.db) as uow:
                found = ticket_view.ticket_for(uow.session, officer.agency, ref)
                row = uow.session.get(EvidenceRow, evidence_id)
                if found is None or row is None or row.ticket_id != found[0].id:
                    return None
                uow.audit.record(
                    row.ticket_id,
                    f"staff:{officer.staff_id}",
                    "evidence_viewed",
                    {"evidence": evidence_id, "via": "console"},
                    desk.clock(),
                )
                uow.commit()
                stored = DeskRepository(uow.session).evidence_file(evidence_id)
                return row, (stored.chunks if stored else None), (stored.mime_type if stored else None)

        found = await run_in_threadpool(look)
        if found is None:
            return refused(request, officer, ref, "evidence")
        row, chunks, mime = found
        if chunks is None:
            settings = desk.settings
            try:
                pieces = await files.download(
                    settings.telegram_api_base_url, settings.telegram_bot_token, row.file_id
                )
            except files.EvidenceUnavailable:
                return desk.page(
                    request, "evidence_missing.html", officer.lang, status_code=502, officer=officer, ref=ref
                )
            mime = row.mime_type or ("image/jpeg" if row.kind == "photo" else None)
            await run_in_threadpool(files.store, desk.db, evidence_id, pieces, mime, desk.clock())
            chunks = len(pieces)
        inline = (mime or "").startswith("image/") and mime in files.INLINE_TYPES
        headers = {"Cache-Control": "private, no-store"}
        if not inline:
            name = "".join(
                ch for ch in (row.name or f"evidence-{evidence_id}") if ch.isalnum() or ch in "._-"
            )
            headers["Content-Disposition"] = f'attachment; filename="{name or "evidence"}"'
        return StreamingResponse(
            files.stream(desk.db, evidence_id, chunks),
            media_type=mime if inline else "application/octet-stream",
            headers=headers,
        )

    return r
