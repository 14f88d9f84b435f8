"""What a monthly report holds (the JSON answer; CSV and HTML are drawn from it)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class RunCounts(BaseModel):
    """Runs started in the month, by how they ended (Temporal's visibility store)."""

    total: int = 0
    completed: int = 0
    failed: int = 0  # failed, timed out or terminated
    running: int = 0
    other: int = 0  # cancelled or continued as new


class RecordCounts(BaseModel):
    """Records by outcome in the month (the sync store: the ledger)."""

    written: int = 0  # records whose latest write fell in the month
    quarantined: int = 0  # unusable: mapping or validation
    failed: int = 0  # the target refused them
    conflicts: int = 0  # two-way conflicts parked for a person


class SlaMonth(BaseModel):
    name: str
    kind: str
    objective: float
    samples: int  # measurements taken in the month
    met: int
    breached: int
    status: str  # breached: at least once | met: every measured sample | unknown: none measured


class ErrorCount(BaseModel):
    stage: str  # mapping | validation | target
    reason: str
    count: int


class IntegrationMonth(BaseModel):
    integration: str
    system: str  # "" for a connection deleted since
    runs: RunCounts | None  # None: Temporal's visibility store was not read
    records: RecordCounts
    failures: int  # failed runs and records the target refused
    sla_status: str  # breached | met | unknown | none (no SLA)
    slas: list[SlaMonth]
    top_errors: list[ErrorCount]


class DayCount(BaseModel):
    day: date
    written: int
    rejected: int  # quarantined and failed


class MonthlyReport(BaseModel):
    month: str
    start: datetime
    end: datetime
    generated_at: datetime
    integrations: list[IntegrationMonth]
    runs: RunCounts
    records: RecordCounts
    days: list[DayCount]
