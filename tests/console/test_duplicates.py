"""Possible duplicates by phone, passport number, recruiter and missing person's name (a blind
index: the values themselves stay encrypted); linking, and merging a person's second report of
the same case into the first, with the old reference still working."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import select

from console.duplicates import name_key, passport_key, phone_key
from console.web import Desk
from flows.events import NewTicket
from flows.incoming import TextIn
from storage.desk_tables import TicketMatchKeyRow
from storage.uow import UnitOfWork
from tests.console.conftest import Browser, add_officer
from tests.console.test_ticket import to_chat
from tests.support.service import Person, file_report, onboard


def ticket(desk: Desk, ref: str, reporter: int, **values: Any) -> str:
    now = desk.clock()
    fields: dict[str, Any] = {
        "ref": ref,
        "kind": "report",
        "category": "missing",
        "priority": "high",
        "owner": "kp2mi",
        "copied": (),
        "lang": "en",
        "created_at": now,
        "idempotency_key": ref,
        "description": "…",
    }
    fields.update(values)
    with UnitOfWork(desk.db) as uow:
        user = uow.users.get_or_create(reporter, now)
        uow.tickets.open(NewTicket(**fields), user.id, now + timedelta(hours=4))
        uow.commit()
    return ref


def test_normalisers() -> None:
    assert phone_key("+62 812-3456-789") == phone_key("0812 3456 789") == "628123456789"
    assert phone_key("0060 12 345 6789") == "60123456789" and phone_key("12") is None
    assert passport_key("c 1234567") == passport_key("C1234567") == "C1234567"
    assert name_key("Siti  Aminah.") == name_key("siti aminah") == "siti aminah"


def test_tickets_sharing_a_phone_passport_or_missing_name_are_shown(desk: Desk, web: Browser) -> None:
    a = ticket(
        desk,
        "PMI-AAAA-0001",
        5001,
        contact_method="phone",
        contact_phone="0812 3456 789",
        victim_name="Siti Aminah",
        details={"passport_number": "C1234567"},
    )
    b = ticket(desk, "PMI-AAAA-0002", 5002, contact_method="phone", contact_phone="+62 812 3456 789")
    c = ticket(desk, "PMI-AAAA-0003", 5003, victim_name="siti  aminah")
    d = ticket(desk, "PMI-AAAA-0004", 5004, details={"passport_number": "c1234567", "recruiter": "PT Maju"})
    e = ticket(desk, "PMI-AAAA-0005", 5005, details={"recruiter": "Maju"}, category="illegal_recruitment")
    ticket(desk, "PMI-AAAA-0006", 5006, victim_name="Someone Else")
    ticket(desk, "PMI-AAAA-0007", 5007, owner="ppa-ppo", contact_phone="0812 3456 789")  # not KP2MI's
    web.login(add_officer(desk, 7002, "kp2mi", "Dewi"))
    page = web.get(f"/tickets/{a}")
    section = page.split("Kemungkinan duplikat", 1)[1].split("</ul>", 1)[0]
    assert {b, c, d} == {part[:13] for part in section.split('href="/tickets/')[1:]}
    assert "nomor telepon sama" in section and "nomor paspor sama" in section
    assert "nama orang hilang sama" in section
    assert "PMI-AAAA-0006" not in section and "PMI-AAAA-0007" not in section
    assert "perekrut sama" in web.get(f"/tickets/{e}")
    with UnitOfWork(desk.db) as uow:
        digests = [k.digest for k in uow.session.exec(select(TicketMatchKeyRow))]
    assert digests and not any("8123456789" in x for x in digests)  # keyed hashes, not numbers


def test_linking_shows_on_both_tickets(desk: Desk, web: Browser) -> None:
    a = ticket(desk, "PMI-AAAA-0001", 5001, victim_name="Siti Aminah")
    b = ticket(desk, "PMI-AAAA-0002", 5002, victim_name="Siti Aminah")
    web.login(add_officer(desk, 7002, "kp2mi", "Dewi"))
    page = web.get(f"/tickets/{a}")
    assert "pelapor lain: tautkan, jangan gabungkan" in page  # different reporters: no merge
    page = web.post(f"/tickets/{a}/link", other=b)
    assert "Tiket tertaut" in page and "Ditautkan dengan PMI-AAAA-0002 oleh Dewi" in page
    assert "Ditautkan dengan PMI-AAAA-0001 oleh Dewi" in web.get(f"/tickets/{b}")
    page = web.post(f"/tickets/{a}/merge", other=b)
    assert "tidak dapat digabungkan" in page


def test_a_second_report_of_the_same_person_merges_and_the_old_reference_works(
    desk: Desk, web: Browser
) -> None:
    person = Person(desk.helpline, 5001)
    onboard(person)
    first = file_report(person, "other")
    second = file_report(person, "other")
    web.login(add_officer(desk, 7002, "kp2mi", "Dewi"))
    page = web.get(f"/tickets/{first}")
    assert second in page.split("Tiket lain dari orang ini", 1)[1]
    page = web.post(f"/tickets/{first}/merge", other=second)
    assert f"{second} digabungkan ke {first}." in page
    assert "My passport is kept" in page  # the second report's thread joined (description stays)
    with UnitOfWork(desk.db) as uow:
        old = uow.tickets.get(second)
        assert old is not None and old.status == "closed"
    assert f"please use {first} from now on." in to_chat(desk, 5001)[-1]
    person.send(TextIn("one more thing", reply_to_ref=second))
    assert "one more thing" in web.get(f"/tickets/{first}/thread")
    assert "Digabungkan ke" in web.get(f"/tickets/{second}")


def test_anonymising_removes_notes_match_keys_and_fetched_files(desk: Desk, web: Browser) -> None:
    from flows.events import Evidence
    from storage.desk import DeskRepository
    from storage.desk_tables import EvidenceChunkRow, TicketNoteRow

    a = ticket(
        desk, "PMI-AAAA-0001", 5001, contact_phone="0812 3456 789", evidence=(Evidence("photo", "FAKE-1"),)
    )
    ticket(desk, "PMI-AAAA-0002", 5002, contact_phone="0812 3456 789")
    web.login(add_officer(desk, 7002, "kp2mi", "Dewi"))
    web.post(f"/tickets/{a}/note", body="a private note")
    assert "PMI-AAAA-0002" in web.get(f"/tickets/{a}")  # indexed
    with UnitOfWork(desk.db) as uow:
        row = uow.tickets.get(a)
        assert row is not None and row.id is not None
        [evidence] = uow.tickets.evidence(row.id)
        assert evidence.id is not None
        DeskRepository(uow.session).store_evidence(evidence.id, [b"abc"], "image/jpeg", desk.clock())
        uow.tickets.close(a, desk.clock())
        uow.tickets.anonymise(a, desk.clock())
        uow.commit()
    with UnitOfWork(desk.db) as uow:
        for row_type in (TicketNoteRow, EvidenceChunkRow):
            assert uow.session.exec(select(row_type)).all() == []
        keys = uow.session.exec(select(TicketMatchKeyRow).where(TicketMatchKeyRow.ticket_id == row.id)).all()
        assert keys == []
    assert "PMI-AAAA-0001" not in web.get("/tickets/PMI-AAAA-0002").split("Kemungkinan duplikat")[1]
