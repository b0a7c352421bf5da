"""The console's ticket page names "not sure" answers and kept notes in the officer's language
(issue 11 items 3 and 7), never as a stored id."""

from __future__ import annotations

import gettext
import json
from datetime import UTC, datetime
from typing import Any

from bot.i18n import renderer
from console.ticket_view import facts
from flows.render import Renderer
from flows.text import Text
from storage.tables import TicketRow

AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
PLAIN = Renderer("en", gettext.NullTranslations(), "plain")


def ticket_row(details: dict[str, str], **fields: Any) -> TicketRow:
    """A stored ticket with these details; ``fields`` change its other columns."""
    columns: dict[str, Any] = {
        "ref": "PMI-AAAA-0001",
        "idempotency_key": "k",
        "kind": "report",
        "category": "missing",
        "priority": "high",
        "owner": "kp2mi",
        "lang": "id",
        "created_at": AT,
        "updated_at": AT,
        "description": "",
        "victim": "other",
        "victim_minor": False,
        "danger_now": False,
        "contact_method": "chat",
        "details": json.dumps(details),
    }
    return TicketRow(**{**columns, **fields})


def rows_as_text(ticket: TicketRow, joiner: str) -> dict[str, str]:
    """The page's facts as the officer reads them in English, a list joined by ``joiner``."""

    def text(value: Text | tuple[Text, ...]) -> str:
        return joiner.join(PLAIN.text(v) for v in value) if isinstance(value, tuple) else PLAIN.text(value)

    return {text(label): text(value) for label, value in facts(ticket, (), {})}


def test_not_sure_answers_and_notes_are_labelled_and_translated() -> None:
    ticket = ticket_row({"victim_minor": "unsure", "trafficking_signs": "yes", "notes": "HP diambil"})
    rows = rows_as_text(ticket, ", ")
    assert rows["Under 18, as answered"] == "not sure"
    assert rows["Signs of trafficking"] == "yes"
    assert rows["Also written"] == "HP diambil"


def test_stored_codes_read_as_words_in_the_officers_language() -> None:
    ticket = ticket_row(
        {
            "recruiter_name": "PT Contoh",
            "recruiter_status": "revoked",
            "red_flag_risk": "high",
            "emergency_country": "KH",
            "notes": "HP diambil\nada 20 orang",
            "employer": "revoked",  # free text is shown as written, even when it looks like a code
        },
        ref="PMI-AAAA-0002",
        idempotency_key="k2",
        category="emergency",
        priority="urgent",
        owner="ppa-ppo",
        victim="self",
        danger_now=True,
        reporter_role="family",
    )
    rows = rows_as_text(ticket, " / ")
    assert rows["Reporter's role"] == "family member of a worker"
    assert rows["Reporter's language"] == "Bahasa Indonesia"
    assert rows["Recruiter licence status"] == "REVOKED"
    assert rows["Red-flag risk"] == "HIGH RISK"
    assert rows["Country named in the danger words (not asked)"] == "Cambodia"
    assert rows["Also written"] == "HP diambil / ada 20 orang"
    assert rows["Employer or agency"] == "revoked"
    # In Indonesian, for an officer reading the console in Indonesian.
    indonesian = renderer("id", "plain")
    shown = {
        indonesian.text(k): indonesian.text(v) for k, v in facts(ticket, (), {}) if not isinstance(v, tuple)
    }
    assert shown["Negara yang disebut dalam kata bahaya (tidak ditanyakan)"] == "Kamboja"
    assert shown["Peran pelapor"] == "keluarga pekerja"
