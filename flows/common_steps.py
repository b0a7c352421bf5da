"""Steps shared by the report and help flows: where, what happened, evidence, how to reach them."""

from __future__ import annotations

from flows.steps import Ask, Branch, Choose, Collect, Next, Option, Step
from flows.text import M
from flows.vocab import COUNTRIES

SKIP = Option("skip", M("Skip"), means="no")


def where_what_contact(after_country: Next) -> tuple[Step, ...]:
    """Country (with a typed fallback), city, story, evidence, contact, then the summary."""
    return (
        Choose(
            "country",
            (M("Which country is this happening in?"),),
            COUNTRIES,
            "country",
            Branch("country", {"other": "country_other"}, after_country),
            columns=2,
            countries=True,
        ),
        Ask(
            "country_other",
            (M("Which country? Please type its name."),),
            "country_other",
            after_country,
            kind="short",
            max_len=100,
            country=True,
        ),
        Ask(
            "city",
            (M("Which city or area? (you may also send your location)"),),
            "city",
            "description",
            kind="place",
            max_len=200,
        ),
        Ask(
            "description",
            (
                M(
                    "Tell us briefly what happened. You can write, send a voice note, or a photo of a "
                    "document."
                ),
            ),
            "description",
            "evidence",
            accepts_files=True,
        ),
        Collect(
            "evidence",
            (M("Thank you for telling us. Do you have photos or documents as evidence?"),),
            "evidence",
            "contact",
        ),
        Choose(
            "contact",
            (M("How can an officer reach you safely?"),),
            (Option("chat", M("Only through this chat")), Option("phone", M("Phone / WhatsApp"))),
            "contact",
            Branch("contact", {"phone": "contact_phone"}, "summary"),
        ),
        Ask(
            "contact_phone",
            (M("Which number, and when is it safe to call?"),),
            "contact_phone",
            "summary",
            kind="phone",
            max_len=100,
        ),
    )


SUMMARY_FIELDS = (
    ("category", M("Type")),
    ("country", M("Location")),
    ("description", M("Story")),
    ("evidence", M("Evidence")),
    ("contact", M("Contact")),
)
