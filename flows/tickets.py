"""Turning what a person entered into a ticket: fields, routing, priority. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows.events import Evidence, NewTicket
from flows.ports import Context
from flows.routing import route
from flows.ticket_rules import higher

# Flow answers that travel in NewTicket.details rather than in their own columns. ``notes`` are
# the person's words that answered no question asked (kept, never dropped), one per line.
DETAIL_FIELDS = (
    "victim_relation",
    "victim_minor",
    "last_contact",
    "employer",
    "passport_number",
    "recruiter",  # the company as one line, in conversations saved before the fields below
    "recruiter_name",
    "recruiter_license",
    "recruiter_status",
    "red_flags",
    "red_flag_risk",
    "country_other",
    "trafficking_signs",
    "emergency_words",
    "emergency_country",
    "notes",
)


def evidence_of(data: Mapping[str, Any]) -> tuple[Evidence, ...]:
    return tuple(Evidence(**item) for item in data.get("evidence") or ())


def build_ticket(
    data: Mapping[str, Any],
    *,
    kind: str,
    ctx: Context,
    lang: str,
    role: str | None,
    idempotency_key: str,
    urgent: bool = False,
) -> NewTicket:
    """A ``NewTicket`` from a flow's answers. ``urgent`` is set by the emergency card's one-tap
    report, which keeps whatever was entered so far."""
    category = str(data.get("category") or ("emergency" if urgent else "other"))
    minor_answer = ctx.routing.reading(data.get("victim_minor"))
    signs_answer = ctx.routing.reading(data.get("trafficking_signs"))
    minor = minor_answer == "yes"
    danger = urgent or data.get("danger") == "yes"
    routed = route(
        ctx.routing,
        category,
        minor=minor,
        danger_now=danger,
        trafficking_signs=signs_answer == "yes",
        possible_minor=minor_answer == "possible",
        possible_trafficking=signs_answer == "possible",
        country=data.get("country") or None,
        recruiter_status=data.get("recruiter_status") or None,
    )
    priority = routed.priority
    if data.get("red_flag_risk") == "high":
        # The /cek checklist found signs of illegal recruitment or trafficking.
        priority = higher(priority, "high")
    location = data.get("location")
    details = {k: _detail(data[k]) for k in DETAIL_FIELDS if data.get(k)}
    return NewTicket(
        ref=ctx.new_ref(),
        kind=kind,
        category=category,
        priority=priority,
        owner=routed.owner,
        copied=routed.copied,
        lang=lang,
        created_at=ctx.now,
        idempotency_key=idempotency_key,
        description=str(data.get("description") or ""),
        reporter_role=role,
        victim="other" if data.get("victim") == "other" or category == "missing" else "self",
        victim_name=data.get("victim_name") or None,
        victim_minor=minor,
        danger_now=danger,
        country=data.get("country") or None,
        city=data.get("city") or None,
        latitude=float(location[0]) if location else None,
        longitude=float(location[1]) if location else None,
        contact_method="phone" if data.get("contact") == "phone" else "chat",
        contact_phone=(data.get("contact_phone") or None) if data.get("contact") == "phone" else None,
        details=details,
        evidence=evidence_of(data),
    )


def _detail(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "\n".join(str(item) for item in value)
    return str(value)
