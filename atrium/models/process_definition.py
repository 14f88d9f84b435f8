"""Designed processes: one row per process (its name and its draft), one per version.

A version is immutable once written: publishing copies the draft into a new version; a rollback
publishes an old version's content as the newest. A version with a destructive action waits
(``pending_approval``) until an administrator other than its author approves it; only
``published`` versions run. The definition's shape is atrium.designer.definition's.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import field_validator
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from atrium.bounds import JsonObject, Text
from atrium.models.integration import utcnow

NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
VersionStatus = Literal["published", "pending_approval"]


class ProcessDefinitionBase(SQLModel):
    name: str = Field(min_length=1, max_length=63, schema_extra={"pattern": NAME_PATTERN})
    description: Text = Field("", max_length=1000)

    @field_validator("name")
    @classmethod
    def _name_pattern(cls, value: str) -> str:
        if not re.fullmatch(NAME_PATTERN, value):
            raise ValueError("lower-case letters, digits, '.', '_' and '-', starting alphanumeric")
        return value


class ProcessDefinitionCreate(ProcessDefinitionBase):
    draft: JsonObject


class ProcessDefinitionRow(ProcessDefinitionBase, table=True):
    __tablename__ = "process_definition"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=63, unique=True)
    draft: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_by: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    updated_by: str = Field(default="", max_length=255)
    updated_at: datetime = Field(default_factory=utcnow)


class ProcessVersion(SQLModel, table=True):
    __tablename__ = "process_definition_version"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_process_version"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=63, index=True)
    version: int = Field(ge=1)
    definition: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    content_hash: str = Field(max_length=64)
    status: str = Field(max_length=16, description="published | pending_approval")
    destructive: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )  # the destructive actions it performs
    source_version: int | None = Field(default=None, description="a rollback's source")
    created_by: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    approved_by: str | None = Field(default=None, max_length=255)
    approved_at: datetime | None = None
