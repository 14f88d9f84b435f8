"""Inputs and outputs of the roster-sync activities: small, so histories stay small (page
coordinates and counts travel through Temporal, records never do)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class PlanInput(BaseModel):
    source: str
    target: str
    record_types: list[str]
    incremental: bool = False
    package: int | None = None  # a CSV source's staged package (None: REST, or its newest)


class PlanResult(BaseModel):
    totals: dict[str, int]
    filters: dict[str, str | None]
    package: int | None = None  # the CSV package planned, so every page reads that one


class PageInput(BaseModel):
    run: str  # the run's idempotency prefix
    source: str
    target: str
    record_type: str
    offset: int
    limit: int
    filter: str | None = None
    full: bool = True
    bulk: bool = True
    mappings: dict[str, str] = Field(default_factory=dict)  # record type -> stored mapping name
    package: int | None = None  # a CSV source's staged package, as the plan saw it


class PageResult(BaseModel):
    record_type: str
    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    to_deactivate: int = 0
    quarantined: int = 0
    max_modified: str | None = None


class DeletionCountInput(BaseModel):
    run: str
    target: str
    record_types: list[str]
    full: bool


class DeletionCount(BaseModel):
    pending: dict[str, int]
    known: dict[str, int]

    @property
    def share(self) -> float:
        total = sum(self.known.values())
        return sum(self.pending.values()) / total if total else 0.0


class DeletionPageInput(BaseModel):
    run: str
    target: str
    source: str = ""  # the SIS, for the record.synced events (older runs did not pass it)
    record_type: str
    full: bool
    after: str = ""
    limit: int = 5000
    bulk: bool = True


class DeletionPageResult(BaseModel):
    deactivated: int
    quarantined: int
    next_after: str | None


class CursorInput(BaseModel):
    target: str
    moved: dict[str, str]  # record type -> newest dateLastModified seen
