"""The sync-state store's tables: what Atrium last wrote for each record, keys that make a
repeated write a no-op, and per-integration cursors for incremental sync."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from atrium.models.integration import utcnow


class SyncRecord(SQLModel, table=True):
    """One source record as last synced into one target integration."""

    __tablename__ = "sync_record"
    # Deletion candidates and counts are looked up by status within one integration's records.
    __table_args__ = (Index("ix_sync_record_status", "integration", "record_type", "status"),)

    integration: str = Field(primary_key=True, max_length=63)
    record_type: str = Field(primary_key=True, max_length=32)
    source_id: str = Field(primary_key=True, max_length=255)
    version: str = Field(max_length=32, description="hash of the canonical record last written")
    target_id: str | None = Field(default=None, max_length=255)
    status: str = Field(default="active", max_length=16)  # active | tobedeleted | deactivated
    date_last_modified: datetime | None = None
    seen_run: str = Field(default="", max_length=255, description="last full run that saw it")
    snapshot: str | None = Field(default=None, description="JSON of the synced fields (two-way)")
    synced_at: datetime = Field(default_factory=utcnow, index=True)  # a month's report
    # Lineage: the run that last wrote the record (``<workflow id>:<run id>``; ``seen_run`` also
    # moves when a full run finds it unchanged) and the mapping version it was mapped with
    # (``<name>@<version>``, or ``builtin:<record type>``). None: written before these were kept.
    written_run: str | None = Field(default=None, max_length=255)
    mapping: str | None = Field(default=None, max_length=100)


class IdempotencyKey(SQLModel, table=True):
    """A write already done: (run, record, version). Inserting the same key again is refused."""

    __tablename__ = "sync_idempotency_key"

    key: str = Field(primary_key=True, max_length=400)
    outcome: str = Field(default="", max_length=400, description="what the write answered")
    created_at: datetime = Field(default_factory=utcnow)


class SyncCursor(SQLModel, table=True):
    """Where the next incremental sync of (integration, record type) starts."""

    __tablename__ = "sync_cursor"

    integration: str = Field(primary_key=True, max_length=63)
    record_type: str = Field(primary_key=True, max_length=32)
    date_last_modified: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)
