"""Console users: who may log in, with which role, and which person/classes they are."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from pydantic import field_validator
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from atrium.bounds import Line
from atrium.models.integration import utcnow

ROLES = (
    "administrator",
    "process_designer",
    "secretary",
    "leader",
    "professor",
    "student",
    "auditor",
)
USERNAME = r"^[a-z0-9][a-z0-9._@-]{1,62}$"
# Person and class ids end up inside Temporal visibility queries: keep them to safe characters.
IDENTIFIER = r"^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,99}$"


def _check_role(value: str | None) -> str | None:
    if value is not None and value not in ROLES:
        raise ValueError(f"must be one of {', '.join(ROLES)}")
    return value


def _check_username(value: str) -> str:
    # SQLModel does not enforce ``schema_extra`` patterns; fullmatch: ``$`` alone lets "x\n" by.
    if not re.fullmatch(USERNAME, value):
        raise ValueError(f"must match {USERNAME}")
    return value


def _check_person(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(IDENTIFIER, value):
        raise ValueError(f"must match {IDENTIFIER}")
    return value


def _check_classes(value: list[str] | None) -> list[str] | None:
    for item in value or []:
        if not re.fullmatch(IDENTIFIER, item):
            raise ValueError(f"class id {item[:40]!r} must match {IDENTIFIER}")
    return value


class UserBase(SQLModel):
    username: str = Field(
        min_length=2, max_length=63, schema_extra={"pattern": USERNAME}, index=True, unique=True
    )
    role: Line = Field(max_length=32, description=f"one of {', '.join(ROLES)}")
    full_name: Line = Field(default="", max_length=200)
    person_id: str | None = Field(
        default=None,
        max_length=100,
        schema_extra={"pattern": IDENTIFIER},
        description="SIS person id (students)",
    )
    class_ids: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        max_length=500,
        description="classes a professor teaches",
    )
    disabled: bool = False

    @field_validator("username")
    @classmethod
    def _safe_username(cls, value: str) -> str:
        return _check_username(value)

    @field_validator("role")
    @classmethod
    def _known_role(cls, value: str | None) -> str | None:
        return _check_role(value)

    @field_validator("person_id")
    @classmethod
    def _safe_person(cls, value: str | None) -> str | None:
        return _check_person(value)

    @field_validator("class_ids")
    @classmethod
    def _safe_classes(cls, value: list[str] | None) -> list[str] | None:
        return _check_classes(value)


class UserCreate(UserBase):
    password: str = Field(min_length=12, max_length=256)


class UserUpdate(SQLModel):
    role: Line | None = Field(default=None, max_length=32)
    full_name: Line | None = Field(default=None, max_length=200)
    person_id: str | None = Field(
        default=None, max_length=100, schema_extra={"pattern": IDENTIFIER}
    )
    class_ids: list[str] | None = Field(default=None, max_length=500)
    disabled: bool | None = None
    password: str | None = Field(default=None, min_length=12, max_length=256)

    @field_validator("role")
    @classmethod
    def _known_role(cls, value: str | None) -> str | None:
        return _check_role(value)

    @field_validator("person_id")
    @classmethod
    def _safe_person(cls, value: str | None) -> str | None:
        return _check_person(value)

    @field_validator("class_ids")
    @classmethod
    def _safe_classes(cls, value: list[str] | None) -> list[str] | None:
        return _check_classes(value)


MAX_GENERATION = 2**31  # an INTEGER column


def first_generation() -> int:
    """Random, not 0: a token of a deleted account must not fit a new account of the same name."""
    return secrets.randbelow(MAX_GENERATION)


class User(UserBase, table=True):
    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL

    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(max_length=255)
    # Login tokens carry it (claim "gen"); a password, role or disabled change bumps it, and the
    # tokens issued before are refused (api/auth/authenticate.py).
    token_generation: int = Field(default_factory=first_generation)
    # A second factor (TOTP): when it was confirmed, and the last time step whose code was
    # accepted, so a code is never taken twice. The seed itself is in Vault only (api/auth/totp.py).
    second_factor_at: datetime | None = None
    second_factor_step: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    def revoke_tokens(self) -> None:
        self.token_generation = (self.token_generation + 1) % MAX_GENERATION


class UserPublic(UserBase):
    id: int
    second_factor_at: datetime | None = None  # None: logs in with a password alone
    created_at: datetime
    updated_at: datetime
