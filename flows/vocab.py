"""Shared labels: countries, report and help categories, agencies, statuses, yes/no answers."""

from __future__ import annotations

from flows import agencies
from flows.steps import Option
from flows.text import Country, M, Msg, Named, Text

# Offered as buttons: the main placement countries, then the countries of the online-scam
# compounds (SPEC section 2), Indonesia, and any other (typed; understood to its ISO code).
COUNTRIES: tuple[Option, ...] = (
    Option("MY", M("Malaysia")),
    Option("TW", M("Taiwan")),
    Option("HK", M("Hong Kong")),
    Option("SA", M("Saudi Arabia")),
    Option("SG", M("Singapore")),
    Option("KR", M("South Korea")),
    Option("JP", M("Japan")),
    Option("KH", M("Cambodia")),
    Option("MM", M("Myanmar")),
    Option("LA", M("Laos")),
    Option("PH", M("Philippines")),
    Option("TH", M("Thailand")),
    Option("ID", M("Indonesia")),
    Option("other", M("Another country")),
)

REPORT_CATEGORIES: tuple[Option, ...] = (
    Option("tppo", M("Trafficking / forced labour")),
    Option("violence", M("Violence")),
    Option("held", M("Held / passport withheld")),
    Option("scam_compound", M("Online job scam")),
    Option("illegal_recruitment", M("Illegal recruitment / fees")),
    Option("fake_documents", M("Fake documents")),
    Option("missing", M("Missing relative")),
    Option("other", M("Something else")),
)

ASSIST_CATEGORIES: tuple[Option, ...] = (
    Option("assist.wages", M("Unpaid or cut wages")),
    Option("assist.contract", M("Contract broken or ended")),
    Option("assist.go_home", M("I want to go home")),
    Option("assist.illness", M("Illness or accident")),
    Option("assist.insurance", M("Insurance claim (BPJS Ketenagakerjaan)")),
    Option("assist.documents", M("Documents expired / overstay")),
    Option("assist.legal", M("Legal help")),
    Option("assist.other", M("Something else")),
)

OTHER_CATEGORIES: dict[str, Msg] = {
    "question": M("Question to an officer"),
    "emergency": M("Emergency"),
}


def agency_name(code: str) -> Named:
    """An agency's name in the reader's language, from ``data/agencies.json`` (flows.agencies)."""
    return agencies.label(code)


def agency_list() -> Text:
    """Every agency in use, by name, comma-separated (the privacy notice's recipients)."""
    in_use = agencies.in_use()
    names: list[Text] = [agency_name(code) for code in (in_use.codes if in_use is not None else ())]
    listed: Text = names[-1] if names else ""
    for name in reversed(names[:-1]):
        listed = M("{first}, {rest}", first=name, rest=listed)
    return listed


STATUS_NAMES: dict[str, Msg] = {
    "open": M("received"),
    "taken": M("being handled"),
    "waiting": M("waiting for your answer"),
    "resolved": M("resolved"),
    "closed": M("closed"),
}

PRIORITY_NAMES: dict[str, Msg] = {
    "urgent": M("URGENT"),
    "high": M("HIGH"),
    "normal": M("NORMAL"),
}

YES = Option("yes", M("Yes"), means="yes")
NO = Option("no", M("No"), means="no")
UNSURE = Option("unsure", M("Not sure"), means="unsure")


def label(options: tuple[Option, ...], option_id: str | None) -> Text | None:
    return next((o.label for o in options if o.id == option_id), None)


def category_label(category: str) -> Text:
    return (
        label(REPORT_CATEGORIES, category)
        or label(ASSIST_CATEGORIES, category)
        or OTHER_CATEGORIES.get(category)
        or M("Something else")
    )


def country_label(code: str | None) -> Text | None:
    """The name of a country in the reader's language: our own label for the offered ones, the
    Unicode CLDR name (``Country``, rendered with Babel) for any other ISO 3166 code."""
    if not code or code == "other":
        return None
    return label(COUNTRIES, code) or Country(code)
