"""The /bantuan flow: help after placement (wages, contract, going home, illness, insurance, ...)."""

from __future__ import annotations

from flows.common_steps import SUMMARY_FIELDS, where_what_contact
from flows.steps import Choose, Confirm, Flow
from flows.text import M
from flows.vocab import ASSIST_CATEGORIES

ASSIST = Flow.of(
    "assist",
    Choose("category", (M("What do you need help with?"),), ASSIST_CATEGORIES, "category", "country"),
    *where_what_contact("city"),
    Confirm("summary", SUMMARY_FIELDS),
)
