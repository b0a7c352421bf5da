"""The console's repository (the desk): accounts and their lockout and second factor, sessions,
private notes, evidence files kept for the console, the duplicate index and links between tickets.

Like the other repositories it takes the time from the caller and never commits."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, update
from sqlmodel import Session, col, select

from storage.desk_tables import (
    ROLES,
    ConsoleAccountRow,
    ConsoleSessionRow,
    EvidenceChunkRow,
    EvidenceFileRow,
    TicketLinkRow,
    TicketMatchKeyRow,
    TicketNoteRow,
)
from storage.tables import StaffRow, TicketRow

INDEXED = "-"  # the marker kind of a ticket whose match keys are written


class DeskRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- accounts --------------------------------------------------------------------------
    def account_by_username(self, username: str) -> ConsoleAccountRow | None:
        return self.session.exec(
            select(ConsoleAccountRow).where(ConsoleAccountRow.username == username.strip().lower())
        ).first()

    def account(self, account_id: int) -> ConsoleAccountRow | None:
        return self.session.get(ConsoleAccountRow, account_id)

    def account_for_staff(self, staff_id: int) -> ConsoleAccountRow | None:
        return self.session.exec(
            select(ConsoleAccountRow).where(ConsoleAccountRow.staff_id == staff_id)
        ).first()

    def set_password(
        self, staff: StaffRow, username: str, password_hash: str, role: str, now: datetime
    ) -> ConsoleAccountRow:
        """Create the officer's account or give it a new password (and role). Every session of
        the account ends: whoever knew the old password is logged out."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        assert staff.id is not None
        row = self.account_for_staff(staff.id)
        if row is None:
            row = ConsoleAccountRow(
                staff_id=staff.id,
                username=username.strip().lower(),
                password_hash=password_hash,
                role=role,
                created_at=now,
                password_changed_at=now,
            )
        row.username = username.strip().lower()
        row.password_hash, row.role, row.password_changed_at = password_hash, role, now
        row.failed_logins, row.locked_until = 0, None
        self.session.add(row)
        self.session.flush()
        assert row.id is not None
        self.end_sessions(row.id)
        return row

    def reset_second_factor(self, account: ConsoleAccountRow) -> None:
        """The officer enrols a new authenticator at the next login (a lost phone)."""
        account.totp_secret, account.totp_confirmed_at, account.totp_last_step = None, None, None
        self.session.add(account)
        self.session.flush()
        assert account.id is not None
        self.end_sessions(account.id)

    def record_failure(
        self, account: ConsoleAccountRow, now: datetime, limit: int, lock_for: timedelta
    ) -> bool:
        """One more failed password or code; True when that locked the account."""
        assert account.id is not None
        self.session.exec(
            update(ConsoleAccountRow)
            .where(col(ConsoleAccountRow.id) == account.id)
            .values(failed_logins=col(ConsoleAccountRow.failed_logins) + 1)
            .execution_options(synchronize_session=False)
        )
        self.session.refresh(account)
        if account.failed_logins < limit:
            return False
        account.failed_logins, account.locked_until = 0, now + lock_for
        self.session.add(account)
        self.end_sessions(account.id)
        return True

    def record_success(self, account: ConsoleAccountRow) -> None:
        account.failed_logins = 0
        self.session.add(account)

    def start_enrolment(self, account: ConsoleAccountRow, secret: str) -> None:
        account.totp_secret, account.totp_confirmed_at = secret, None
        self.session.add(account)

    def use_code_step(self, account: ConsoleAccountRow, step: int, now: datetime) -> bool:
        """Accept a TOTP code of time step ``step`` once: a compare-and-set on the last step
        used, so the same code (seen over a shoulder, or sent twice) never logs in twice."""
        assert account.id is not None
        result = self.session.exec(
            update(ConsoleAccountRow)
            .where(
                col(ConsoleAccountRow.id) == account.id,
                or_(
                    col(ConsoleAccountRow.totp_last_step).is_(None),
                    col(ConsoleAccountRow.totp_last_step) < step,
                ),
            )
            .values(
                totp_last_step=step,
                totp_confirmed_at=func.coalesce(col(ConsoleAccountRow.totp_confirmed_at), now),
            )
            .execution_options(synchronize_session=False)
        )
        self.session.refresh(account)
        return result.rowcount == 1

    def accounts(self, agency: str) -> list[tuple[ConsoleAccountRow, StaffRow]]:
        return [
            (account, staff)
            for account, staff in self.session.exec(
                select(ConsoleAccountRow, StaffRow)
                .join(StaffRow, col(StaffRow.id) == col(ConsoleAccountRow.staff_id))
                .where(StaffRow.agency == agency)
                .order_by(col(ConsoleAccountRow.username))
            )
        ]

    def unlock(self, account: ConsoleAccountRow) -> None:
        account.failed_logins, account.locked_until = 0, None
        self.session.add(account)

    # -- sessions --------------------------------------------------------------------------
    def create_session(
        self, token_hash: str, account_id: int, stage: str, csrf: str, now: datetime
    ) -> ConsoleSessionRow:
        row = ConsoleSessionRow(
            id=token_hash, account_id=account_id, stage=stage, csrf=csrf, created_at=now, last_seen_at=now
        )
        self.session.add(row)
        self.session.flush()
        return row

    def session_row(self, token_hash: str) -> ConsoleSessionRow | None:
        return self.session.get(ConsoleSessionRow, token_hash)

    def touch_session(self, token_hash: str, now: datetime) -> None:
        self.session.exec(
            update(ConsoleSessionRow)
            .where(col(ConsoleSessionRow.id) == token_hash)
            .values(last_seen_at=now)
            .execution_options(synchronize_session=False)
        )

    def end_session(self, token_hash: str) -> None:
        self.session.exec(
            delete(ConsoleSessionRow)
            .where(col(ConsoleSessionRow.id) == token_hash)
            .execution_options(synchronize_session=False)
        )

    def end_sessions(self, account_id: int) -> None:
        self.session.exec(
            delete(ConsoleSessionRow)
            .where(col(ConsoleSessionRow.account_id) == account_id)
            .execution_options(synchronize_session=False)
        )

    def prune_sessions(self, idle_before: datetime, created_before: datetime) -> None:
        self.session.exec(
            delete(ConsoleSessionRow)
            .where(
                or_(
                    col(ConsoleSessionRow.last_seen_at) < idle_before,
                    col(ConsoleSessionRow.created_at) < created_before,
                )
            )
            .execution_options(synchronize_session=False)
        )

    # -- notes -----------------------------------------------------------------------------
    def add_note(self, ticket_id: int, staff_id: int, agency: str, text: str, now: datetime) -> TicketNoteRow:
        row = TicketNoteRow(ticket_id=ticket_id, staff_id=staff_id, agency=agency, text=text, created_at=now)
        self.session.add(row)
        self.session.flush()
        return row

    def notes(self, ticket_id: int) -> list[TicketNoteRow]:
        return list(
            self.session.exec(
                select(TicketNoteRow)
                .where(TicketNoteRow.ticket_id == ticket_id)
                .order_by(col(TicketNoteRow.created_at), col(TicketNoteRow.id))
            )
        )

    # -- evidence files --------------------------------------------------------------------
    def evidence_file(self, evidence_id: int) -> EvidenceFileRow | None:
        return self.session.get(EvidenceFileRow, evidence_id)

    def store_evidence(
        self, evidence_id: int, chunks: Sequence[bytes], mime_type: str | None, now: datetime
    ) -> EvidenceFileRow:
        """Keep a downloaded file, piece by piece, each piece encrypted like any personal field."""
        for seq, data in enumerate(chunks):
            self.session.add(
                EvidenceChunkRow(
                    evidence_id=evidence_id, seq=seq, data=base64.b64encode(data).decode("ascii")
                )
            )
        row = EvidenceFileRow(
            evidence_id=evidence_id,
            size=sum(len(c) for c in chunks),
            mime_type=mime_type,
            chunks=len(chunks),
            fetched_at=now,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def evidence_chunk(self, evidence_id: int, seq: int) -> bytes | None:
        data = self.session.exec(
            select(EvidenceChunkRow.data).where(
                EvidenceChunkRow.evidence_id == evidence_id, EvidenceChunkRow.seq == seq
            )
        ).first()
        return None if data is None else base64.b64decode(data)

    # -- duplicate index -------------------------------------------------------------------
    def unindexed(self, key_id: str, limit: int) -> list[TicketRow]:
        """Tickets without match keys under ``key_id`` (new ones, or all after a new secret)."""
        marker = select(TicketMatchKeyRow.ticket_id).where(
            TicketMatchKeyRow.kind == INDEXED, TicketMatchKeyRow.key_id == key_id
        )
        return list(
            self.session.exec(
                select(TicketRow)
                .where(col(TicketRow.id).not_in(marker), col(TicketRow.anonymised_at).is_(None))
                .order_by(col(TicketRow.id))
                .limit(limit)
            )
        )

    def forget_other_keys(self, key_id: str) -> None:
        self.session.exec(
            delete(TicketMatchKeyRow)
            .where(col(TicketMatchKeyRow.key_id) != key_id)
            .execution_options(synchronize_session=False)
        )

    def index(self, ticket_id: int, keys: Iterable[tuple[str, str]], key_id: str) -> None:
        for kind, digest in {*keys, (INDEXED, "")}:
            self.session.add(TicketMatchKeyRow(ticket_id=ticket_id, kind=kind, digest=digest, key_id=key_id))
        self.session.flush()

    def sharing_keys(self, ticket_id: int, key_id: str) -> list[tuple[int, str]]:
        """(other ticket id, kind) for every key the ticket shares with another, not anonymised."""
        mine = (
            select(TicketMatchKeyRow.kind, TicketMatchKeyRow.digest)
            .where(
                TicketMatchKeyRow.ticket_id == ticket_id,
                TicketMatchKeyRow.key_id == key_id,
                TicketMatchKeyRow.kind != INDEXED,
            )
            .subquery()
        )
        rows = self.session.exec(
            select(TicketMatchKeyRow.ticket_id, TicketMatchKeyRow.kind)
            .join(
                mine,
                and_(
                    col(TicketMatchKeyRow.kind) == mine.c.kind, col(TicketMatchKeyRow.digest) == mine.c.digest
                ),
            )
            .join(TicketRow, col(TicketRow.id) == col(TicketMatchKeyRow.ticket_id))
            .where(
                TicketMatchKeyRow.ticket_id != ticket_id,
                TicketMatchKeyRow.key_id == key_id,
                col(TicketRow.anonymised_at).is_(None),
            )
            .order_by(col(TicketMatchKeyRow.ticket_id), col(TicketMatchKeyRow.kind))
        )
        return [(int(other), str(kind)) for other, kind in rows]

    # -- links and merges ------------------------------------------------------------------
    def link(self, a: int, b: int, kind: str, staff_id: int, now: datetime) -> bool:
        """Link two tickets ('related', either order) or record a merge of ``a`` into ``b``.
        False when they were linked already."""
        first, second = (a, b) if kind == "merged" else (min(a, b), max(a, b))
        existing = self.session.exec(
            select(TicketLinkRow).where(
                or_(
                    and_(col(TicketLinkRow.ticket_id) == first, col(TicketLinkRow.other_id) == second),
                    and_(col(TicketLinkRow.ticket_id) == second, col(TicketLinkRow.other_id) == first),
                )
            )
        ).first()
        if existing is not None:
            if kind != "merged" or existing.kind == "merged":
                return False
            self.session.delete(existing)
            self.session.flush()
        self.session.add(
            TicketLinkRow(ticket_id=first, other_id=second, kind=kind, staff_id=staff_id, created_at=now)
        )
        self.session.flush()
        return True

    def links(self, ticket_id: int) -> list[TicketLinkRow]:
        return list(
            self.session.exec(
                select(TicketLinkRow)
                .where(
                    or_(col(TicketLinkRow.ticket_id) == ticket_id, col(TicketLinkRow.other_id) == ticket_id)
                )
                .order_by(col(TicketLinkRow.created_at))
            )
        )

    def merged_into(self, ticket_id: int) -> int | None:
        return self.session.exec(
            select(TicketLinkRow.other_id).where(
                TicketLinkRow.ticket_id == ticket_id, TicketLinkRow.kind == "merged"
            )
        ).first()
