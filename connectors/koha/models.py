"""Typed Koha REST API v1 objects (``api/v1/swagger/definitions/patron.yaml``), in and out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Patron(BaseModel):
    """A patron as Koha returns it; attributes Atrium does not use are ignored."""

    model_config = ConfigDict(extra="ignore")

    patron_id: int
    cardnumber: str | None = None
    userid: str | None = None
    surname: str | None = None
    firstname: str | None = None
    preferred_name: str | None = None
    email: str | None = None
    phone: str | None = None
    library_id: str
    category_id: str
    date_enrolled: date | None = None
    expiry_date: date | None = None
    restricted: bool = False
    updated_on: datetime | None = None


class PatronWrite(BaseModel):
    """The body of ``POST /patrons`` and ``PUT /patrons/{id}`` (Koha requires the first three)."""

    model_config = ConfigDict(extra="forbid")

    surname: str = Field(min_length=1)
    library_id: str = Field(min_length=1)
    category_id: str = Field(min_length=1)
    cardnumber: str | None = None
    userid: str | None = None
    firstname: str | None = None
    preferred_name: str | None = None
    email: str | None = None
    phone: str | None = None
    date_enrolled: date | None = None
    expiry_date: date | None = None
    staff_notes: str | None = None


RestrictionType = Literal["MANUAL", "OVERDUES", "SUSPENSION", "DISCHARGE"]


class RestrictionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: RestrictionType = "MANUAL"
    comment: str | None = None
    expiration_date: date | None = None


class Restriction(RestrictionCreate):
    model_config = ConfigDict(extra="ignore")

    restriction_id: int
    patron_id: int
    created_date: datetime
    updated_date: datetime
