"""The hourly usage roll-up: what several processes saw adds into one row per hour and
connection (SQLite and PostgreSQL), waits land in their buckets, 429s are told apart, counts a
failed write could not store are kept, and the runs per hour come from Temporal's visibility."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select
from temporalio.client import Client

from atrium.capacity.usage import WAIT_BUCKETS, UsageRecorder, hour_of, quantile, roll_up
from atrium.db import make_engine
from atrium.migrations import upgrade
from atrium.models.capacity import RUNS, CapacityUsage
from connectors.errors import RateLimited, ServerError
from tests.atrium.capacity.support import unpolled_backlog
from tests.conftest import database_urls
from tests.workflows.sync_env import eventually


def _row(url: str, integration: str) -> CapacityUsage | None:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return session.exec(
                select(CapacityUsage).where(CapacityUsage.integration == integration)
            ).first()
    finally:
        engine.dispose()


def test_two_processes_add_into_the_same_hour(tmp_path: Path) -> None:
    for url in database_urls(tmp_path):
        upgrade(url)
        engine = make_engine(url)
        one, two = UsageRecorder(), UsageRecorder()
        one.observe("canvas-main", 0.0, None)
        one.observe("canvas-main", 2.0, RateLimited("slow down", retry_after=1, status=429))
        two.observe("canvas-main", 0.3, ServerError("down", status=503))
        two.observe("moodle-main", 0.0, None)
        assert one.flush(engine) == 1 and two.flush(engine) == 2
        assert one.flush(engine) == 0  # nothing new: nothing written
        engine.dispose()
        row = _row(url, "canvas-main")
        assert row is not None and row.hour == hour_of(datetime.now(UTC))
        assert (row.calls, row.throttled) == (3, 1)  # the 503 is not the target throttling
        assert row.wait_seconds == pytest.approx(2.3)
        assert row.waits[0] == 1 and row.waits[WAIT_BUCKETS.index(0.5)] == 1
        assert row.waits[WAIT_BUCKETS.index(2.5)] == 1 and sum(row.waits) == 3
        assert quantile(row.waits, 0.95) == 2.5 and quantile(row.waits, 0.3) == 0.01


def test_counts_a_failed_write_could_not_store_are_kept(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'later.db'}"
    engine = make_engine(url)  # no migration yet: the table is missing
    recorder = UsageRecorder()
    recorder.observe("koha-main", 0.0, RateLimited("slow down", retry_after=1, status=429))
    with pytest.raises(Exception, match="capacity_usage"):
        recorder.flush(engine)
    upgrade(url)
    assert recorder.flush(engine) == 1
    engine.dispose()
    row = _row(url, "koha-main")
    assert row is not None and (row.calls, row.throttled) == (1, 1)


async def test_runs_per_hour_come_from_temporal(tmp_path: Path, temporal_client: Client) -> None:
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        async with unpolled_backlog(temporal_client, 2) as queue:

            async def counted() -> int:
                await roll_up(engine, temporal_client, [queue], UsageRecorder())
                with Session(engine) as session:
                    row = session.get(CapacityUsage, (hour_of(datetime.now(UTC)), RUNS))
                    return row.runs if row is not None else 0

            assert await eventually(counted, 20) == 2
    finally:
        engine.dispose()
