"""Declarative, versioned mappings from a system's records to the canonical model.

A mapping is identified by its name; each save adds a version (the old ones stay, so a run can
say which version it used). The spec itself is validated by ``atrium.sync.mapping.MappingSpec``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import field_validator
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from atrium.bounds import JsonObject, Line, Text
from atrium.models.integration import utcnow

NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"


class MappingBase(SQLModel):
    name: str = Field(
        min_length=1, max_length=63, schema_extra={"pattern": NAME_PATTERN}, index=True
    )
    record_type: Line = Field(max_length=32, description="canonical record type it produces")
    description: Text = Field("", max_length=1000)

    @field_validator("name")
    @classmethod
    def _name_pattern(cls, value: str) -> str:
        # SQLModel does not enforce ``regex=``; the pattern is checked here.
        if not re.fullmatch(NAME_PATTERN, value):
            raise ValueError("lower-case letters, digits, '.', '_' and '-', starting alphanumeric")
        return value


class MappingCreate(MappingBase):
    spec: JsonObject


class MappingUpdate(SQLModel):
    description: Text | None = Field(default=None, max_length=1000)
    spec: JsonObject


class Mapping(MappingBase, table=True):
    __tablename__ = "sync_mapping"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_mapping_name_version"),)

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(default=1, ge=1)
    spec: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_by: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)


class MappingPublic(MappingBase):
    id: int
    version: int
    spec: dict[str, Any]
    created_by: str
    created_at: datetime
