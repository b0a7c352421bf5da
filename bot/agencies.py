"""Reads ``data/agencies.json`` into the pure model (``flows.agencies``), checked at start: a file
that names an unknown kind, repeats a code, lacks a name in a language or a source for a contact
stops the bot with one clear message, never halfway through a conversation."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.config import DATA_DIR
from bot.i18n import LANGUAGES
from flows import agencies as model

AGENCIES_FILE = "agencies.json"


class AgenciesFileError(ValueError):
    """The agencies data file is malformed; raised at load time."""


def _names(value: dict[str, str]) -> dict[str, str]:
    missing = [lang for lang in LANGUAGES if not (value.get(lang) or "").strip()]
    if missing:
        raise ValueError(f"a name is needed in every language, missing: {', '.join(missing)}")
    return value


class _Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: dict[str, str]
    value: str = Field(min_length=1)
    source: str = Field(min_length=1)
    verified: bool = False

    _label = field_validator("label")(_names)


class _Agency(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=model.CODE.pattern)
    kind: Literal["ministry", "police", "immigration", "provincial", "mission"]
    name: dict[str, str]
    full_name: dict[str, str]
    staff_chat_env: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    may_own: list[str] = Field(default_factory=lambda: [model.EVERY_CATEGORY])
    source: str = Field(min_length=1)
    contacts: list[_Contact] = Field(default_factory=list)
    contacts_note: str | None = Field(default=None, alias="_contacts_note")

    _name = field_validator("name", "full_name")(_names)

    @field_validator("code")
    @classmethod
    def _not_an_author(cls, value: str) -> str:
        if value in model.NOT_AGENCIES:
            raise ValueError(f"{value!r} is a thread author, not an agency code")
        return value


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    about: str | None = Field(default=None, alias="_about")
    default_owner: str
    agencies: list[_Agency] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> _File:
        codes = [a.code for a in self.agencies]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"agency codes used twice: {', '.join(twice)}")
        variables = [a.staff_chat_env for a in self.agencies]
        shared = sorted({v for v in variables if variables.count(v) > 1})
        if shared:
            raise ValueError(f"staff chat variables used by two agencies: {', '.join(shared)}")
        if self.default_owner not in codes:
            raise ValueError(f"default_owner {self.default_owner!r} is not one of {', '.join(codes)}")
        return self


def parse_agencies(raw: object, where: str = AGENCIES_FILE) -> model.Agencies:
    """The agencies of a parsed data file; ``AgenciesFileError`` naming each problem otherwise."""
    try:
        parsed = _File.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or 'file'}: {error['msg']}" for error in exc.errors()
        )
        raise AgenciesFileError(f"{where} is not valid: {problems}") from exc
    items = tuple(
        model.Agency(
            code=a.code,
            kind=a.kind,
            name=dict(a.name),
            full_name=dict(a.full_name),
            staff_chat_env=a.staff_chat_env,
            may_own=frozenset(a.may_own),
            contacts=tuple(
                model.ContactLine(dict(c.label), c.value, c.source, c.verified) for c in a.contacts
            ),
            source=a.source,
        )
        for a in parsed.agencies
    )
    return model.Agencies(items, parsed.default_owner)


def load_agencies(data_dir: Path = DATA_DIR) -> model.Agencies:
    """Reads and checks ``agencies.json`` in ``data_dir`` and puts its agencies in use (their
    names on cards and in threads)."""
    path = data_dir / AGENCIES_FILE
    try:
        raw = json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise AgenciesFileError(f"{path} cannot be read: {exc}") from exc
    agencies = parse_agencies(raw, str(path))
    model.use(agencies)
    return agencies


@cache
def shipped() -> model.Agencies:
    """The shipped data file's agencies, read once (commands that need no running bot)."""
    return load_agencies(DATA_DIR)
