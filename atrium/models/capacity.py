"""The hourly usage roll-up capacity advice reads (atrium/capacity/): runs started in each hour,
and per connection the calls made, how long they waited for the outbound budget and how many the
target refused with 429. Kept for years: last year's term-start peak is what the next one needs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

RUNS = "*"  # the row of an hour that counts runs of the whole deployment, not one connection


class CapacityUsage(SQLModel, table=True):
    __tablename__ = "capacity_usage"

    hour: datetime = Field(primary_key=True, description="UTC, on the hour")
    integration: str = Field(primary_key=True, max_length=63, description="or '*': runs")
    runs: int = 0  # workflow runs started in the hour ('*' row)
    calls: int = 0  # requests that passed the connection's outbound budget
    throttled: int = 0  # of them, answered 429 by the target
    wait_seconds: float = 0.0  # total time spent waiting for the budget
    # calls by wait, one count per bucket of atrium/capacity/usage.py WAIT_BUCKETS
    waits: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
