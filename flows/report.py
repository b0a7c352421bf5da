"""The /lapor flow: abuse, scam, trafficking, illegal recruitment, fake documents, missing relative."""

from __future__ import annotations

from flows.common_steps import SKIP, SUMMARY_FIELDS, where_what_contact
from flows.steps import Ask, Branch, Choose, Confirm, Flow, Option
from flows.text import M
from flows.vocab import NO, REPORT_CATEGORIES, UNSURE, YES

REPORT = Flow.of(
    "report",
    Choose(
        "category",
        (
            M("We are here to help. Your report is confidential and read only by the officers responsible."),
            M("What happened?"),
        ),
        REPORT_CATEGORIES,
        "category",
        Branch("category", {"missing": "missing_name"}, "danger"),
    ),
    Choose(
        "danger",
        (M("Is anyone in danger right now?"),),
        (Option("yes", M("Yes, right now"), means="yes"), NO),
        "danger",
        "victim",
        columns=2,
        emergency="yes",
    ),
    Choose(
        "victim",
        (M("Who is this report about?"),),
        (Option("self", M("Me")), Option("other", M("Someone else"))),
        "victim",
        Branch("victim", {"other": "victim_name"}, "country"),
        columns=2,
    ),
    Ask(
        "victim_name",
        (M("What is the person's name?"),),
        "victim_name",
        "victim_relation",
        kind="short",
        max_len=200,
    ),
    Ask(
        "victim_relation",
        (M("How are you related? (for example: sister, friend, neighbour)"),),
        "victim_relation",
        "victim_minor",
        kind="short",
        max_len=100,
    ),
    Choose(
        "victim_minor",
        (M("Is the person under 18?"),),
        (YES, NO, UNSURE),
        "victim_minor",
        "country",
        columns=3,
    ),
    # Missing relative: asks what a family member can know instead of what happened to them.
    Ask(
        "missing_name",
        (M("What is your relative's name?"),),
        "victim_name",
        "missing_relation",
        kind="short",
        max_len=200,
    ),
    Ask(
        "missing_relation",
        (M("How are you related? (for example: child, sister, husband)"),),
        "victim_relation",
        "missing_minor",
        kind="short",
        max_len=100,
    ),
    Choose(
        "missing_minor",
        (M("Is your relative under 18?"),),
        (YES, NO, UNSURE),
        "victim_minor",
        "missing_last_contact",
        columns=3,
    ),
    Ask(
        "missing_last_contact",
        (M('When did you last hear from them? (a date, or roughly: "early March")'),),
        "last_contact",
        "country",
        kind="short",
        max_len=100,
    ),
    Ask(
        "missing_employer",
        (M("Do you know the employer or the agency that sent them? Name and city, if you know."),),
        "employer",
        "missing_passport",
        kind="short",
        max_len=300,
        skip=SKIP,
    ),
    Ask(
        "missing_passport",
        (M("Do you know their passport number? (skip if not)"),),
        "passport_number",
        "missing_signs",
        kind="short",
        max_len=30,
        skip=SKIP,
    ),
    Choose(
        "missing_signs",
        (
            M(
                "Any of these signs? Promised a job through an unofficial route, taken to Cambodia, "
                "Myanmar or Laos, forbidden to contact the family, asked for ransom or debt."
            ),
        ),
        (YES, NO, UNSURE),
        "trafficking_signs",
        "missing_details",
        columns=3,
    ),
    Ask(
        "missing_details",
        (M("Anything else you know? (skip if not)"),),
        "description",
        "evidence",
        skip=SKIP,
        accepts_files=True,
    ),
    *where_what_contact(Branch("category", {"missing": "missing_employer"}, "city")),
    Confirm("summary", SUMMARY_FIELDS),
)
