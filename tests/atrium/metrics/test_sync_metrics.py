"""Records synced by integration, record type and outcome, counted by the roster-sync activities
of the real worker and read from a worker's Atrium endpoint the way Prometheus scrapes it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.worker import Worker

from atrium.credentials import Credentials
from atrium.metrics.calls import install
from atrium.settings import Settings
from tests.support.metrics import samples, scrape, worker_endpoint
from tests.workflows.sync_env import SyncSandbox, mutate, pair, start_sandbox, start_sync


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncSandbox]:
    yield from start_sandbox(tmp_path_factory.mktemp("metrics-sandbox"))


async def test_records_written_unchanged_and_quarantined(
    sandbox: SyncSandbox,
    engine: Engine,
    credentials: Credentials,
    temporal_client: Client,
    settings: Settings,
    worker: Worker,
) -> None:
    install()  # as `atrium worker` does at start (worker.py run_worker)
    p = await pair(engine, credentials, sandbox)
    queue = settings.temporal.task_queue
    full = await (await start_sync(temporal_client, queue, p, page_size=400)).result()
    [bad] = await mutate(
        sandbox, collection="users", count=1, filter="role='teacher'", set={"email": "not-an-email"}
    )
    await mutate(
        sandbox, collection="users", count=2, filter="role='student'", set={"givenName": "Zed"}
    )
    again = await (await start_sync(temporal_client, queue, p, mode="incremental")).result()
    with worker_endpoint() as url:
        text = scrape(url)

    def count(entity: str, outcome: str) -> float:
        return samples(
            text, "atrium_sync_records_total", integration=p.target, entity=entity, outcome=outcome
        )

    users = full.totals["users"]
    assert (
        count("users", "written") == users.created + users.updated + again.totals["users"].updated
    )
    assert again.totals["users"].updated == 2 and again.totals["users"].quarantined == 1
    assert count("users", "quarantined") == 1 and count("users", "failed") == 0
    assert count("enrollments", "written") == full.totals["enrollments"].created
    # The SIS reads and the LMS writes of these syncs were measured too, by system.
    assert samples(text, "atrium_connector_call_seconds_count", system="oneroster") > 0
    assert samples(text, "atrium_connector_call_seconds_count", system="canvas") > 0
