"""The recruiter registry table: licensed placement companies imported from the official CSV."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel


class RecruiterRow(SQLModel, table=True):
    __tablename__ = "recruiters"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=300)
    name_normalised: str = Field(max_length=300, index=True)
    license_number: str = Field(max_length=100, unique=True)  # stored trimmed, upper-case
    status: str = Field(max_length=20)  # active | suspended | revoked | expired
    valid_until: date | None = None
    province: str = Field(max_length=100)
    city: str = Field(max_length=100)
    address: str = Field(max_length=500)
    phone: str = Field(max_length=100)
    destinations: str = Field(max_length=500)  # ';'-separated
    source: str = Field(max_length=500)
    updated_at: date | None = None
    is_sample: bool = False
    imported_at: datetime = Field(sa_type=DateTime(timezone=True))
