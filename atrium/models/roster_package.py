"""OneRoster CSV packages a SIS sent (SFTP drop or upload): one row each, keyed by the SIS
connection, the file name and the content's SHA-256, so the same package is processed once.

A package's records are staged here as OneRoster JSON, one row per record in sourcedId order,
so every worker reads the same pages (a roster sync pages through them as it pages through the
REST API) and no shared folder is needed between the API and the workers. An uploaded zip waits
in ``roster_package_blob`` (in 1 MiB chunks) until a worker stages it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from atrium.models.integration import utcnow

PACKAGE_STATES = ("received", "staged", "processed", "rejected")


class RosterPackage(SQLModel, table=True):
    __tablename__ = "roster_package"
    __table_args__ = (UniqueConstraint("source", "name", "sha256", name="uq_roster_package"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=63, index=True, description="the OneRoster SIS connection")
    name: str = Field(max_length=255)
    sha256: str = Field(max_length=64)
    origin: str = Field(max_length=16, description="sftp | upload")
    status: str = Field(default="received", max_length=16, index=True)
    mode: str = Field(default="bulk", max_length=8, description="bulk | delta (the manifest's)")
    size: int = 0
    counts: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    problems: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    problem_count: int = 0
    received_by: str | None = Field(default=None, max_length=255)
    received_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class RosterPackageRecord(SQLModel, table=True):
    __tablename__ = "roster_package_record"

    package_id: int = Field(primary_key=True)
    record_type: str = Field(primary_key=True, max_length=32)
    seq: int = Field(primary_key=True)
    body: str = Field(sa_column=Column(Text, nullable=False))


class RosterPackageBlob(SQLModel, table=True):
    __tablename__ = "roster_package_blob"

    package_id: int = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    chunk: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class RosterPackagePublic(SQLModel):
    id: int
    source: str
    name: str
    sha256: str
    origin: str
    status: str
    mode: str
    size: int
    counts: dict[str, Any]
    problems: list[str]
    problem_count: int
    received_by: str | None
    received_at: datetime
    finished_at: datetime | None
