"""What the privacy processes keep: subject-access exports (sealed), erasure requests with their
per-system steps, legal holds, tombstones of erased people, the school's erasure rules and the
retention of Atrium's own data, and the audit log's purge checkpoints.

A person appears here only as ``subject``: a keyed-free sha256 of their SIS sourcedId
(atrium/privacy/subjects.py). Nothing in these tables names them once an erasure is done.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, LargeBinary
from sqlmodel import Field, SQLModel

from atrium.models.integration import utcnow

TREATMENTS = ("erase", "anonymise", "keep")


class PrivacyExport(SQLModel, table=True):
    """One data-subject access export; ``blob`` is the zip sealed with AES-256-GCM under a data
    key that only Vault's transit engine can unwrap (``wrapped_key``)."""

    __tablename__ = "privacy_export"
    __table_args__ = {"sqlite_autoincrement": True}  # a deleted export's id is never given again

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=64, index=True)
    status: str = Field(default="running", max_length=16)  # running | ready | failed
    requested_by: str = Field(max_length=255)
    connections: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    summary: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    size: int = 0
    sha256: str = Field(default="", max_length=64, description="of the zip, before sealing")
    wrapped_key: str | None = Field(default=None, max_length=1000)
    blob: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    error: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    downloads: int = 0
    workflow_id: str = Field(default="", max_length=255)


class PrivacyExportPart(SQLModel, table=True):
    """One system's section of an export while it is being gathered, sealed like the zip."""

    __tablename__ = "privacy_export_part"

    id: int | None = Field(default=None, primary_key=True)
    export_id: int = Field(index=True)
    section: str = Field(max_length=63)
    wrapped_key: str = Field(max_length=1000)
    blob: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class PrivacyErasure(SQLModel, table=True):
    __tablename__ = "privacy_erasure"

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=64, index=True)
    # waiting | cancelled | blocked | erasing | completed | incomplete | failed
    status: str = Field(default="waiting", max_length=16)
    requested_by: str = Field(max_length=255)
    connections: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    not_before: datetime
    reason: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    workflow_id: str = Field(default="", max_length=255)


class PrivacyErasureStep(SQLModel, table=True):
    """What one erasure did to one record type of one system, and the audit row proving it."""

    __tablename__ = "privacy_erasure_step"

    id: int | None = Field(default=None, primary_key=True)
    erasure_id: int = Field(index=True)
    connection: str = Field(max_length=63)
    system: str = Field(max_length=16)
    record_type: str = Field(max_length=32)
    treatment: str = Field(max_length=16)  # erased | anonymised | kept | absent | failed
    detail: str = Field(default="", max_length=1000)
    proof: str = Field(default="", max_length=64, description="hash of the audit row")
    at: datetime = Field(default_factory=utcnow)


class PrivacyTombstone(SQLModel, table=True):
    """An erased person: a roster sync does not create them again."""

    __tablename__ = "privacy_tombstone"

    subject: str = Field(primary_key=True, max_length=64)
    erasure_id: int
    created_at: datetime = Field(default_factory=utcnow)


class PrivacyLegalHold(SQLModel, table=True):
    __tablename__ = "privacy_legal_hold"

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=64, index=True)
    reason: str = Field(max_length=1000)
    placed_by: str = Field(max_length=255)
    placed_at: datetime = Field(default_factory=utcnow)
    released_at: datetime | None = None


class PrivacyRule(SQLModel, table=True):
    """A school's choice for one record type of one system: erase, anonymise or keep."""

    __tablename__ = "privacy_rule"

    system: str = Field(primary_key=True, max_length=16)
    record_type: str = Field(primary_key=True, max_length=32)
    treatment: str = Field(max_length=16)
    updated_by: str = Field(default="", max_length=255)
    updated_at: datetime = Field(default_factory=utcnow)


class RetentionPolicy(SQLModel, table=True):
    """How long Atrium keeps one kind of its own data (days); the scheduled purge applies it."""

    __tablename__ = "privacy_retention"

    dataset: str = Field(primary_key=True, max_length=32)
    days: int
    updated_by: str = Field(default="", max_length=255)
    updated_at: datetime = Field(default_factory=utcnow)


class AuditCheckpoint(SQLModel, table=True):
    """The audit log was purged up to ``last_id``: the row after it chains onto ``last_hash``."""

    __tablename__ = "audit_checkpoint"

    id: int | None = Field(default=None, primary_key=True)
    last_id: int
    last_hash: str = Field(max_length=64)
    purged: int
    at: datetime = Field(default_factory=utcnow)
