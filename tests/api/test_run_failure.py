"""A failed run explains itself: the API answers the innermost cause (message and type), the step
it happened in and, when a connector failed, the system, not "Activity task failed" (issue 13)."""

from __future__ import annotations

import uuid

import httpx
from temporalio.client import Client
from temporalio.worker import Worker

from atrium.settings import Settings
from tests.api.test_runs import wait_closed
from workflows.roster_sync import RosterSync, RosterSyncInput


async def test_a_failed_run_names_its_root_cause_and_step(
    api: httpx.AsyncClient, temporal_client: Client, settings: Settings, worker: Worker
) -> None:
    # Started behind the API's back: the API refuses this input at once (see
    # test_run_start_connections.py).
    missing = f"nowhere-{uuid.uuid4().hex[:8]}"
    handle = await temporal_client.start_workflow(
        RosterSync.run,
        RosterSyncInput(integration=missing, source=missing),
        id=f"roster-sync-{missing}",
        task_queue=settings.temporal.task_queue,
    )
    run = await wait_closed(api, handle.id, seconds=60)
    assert run["status"] == "Failed", run
    cause = run["cause"]
    assert missing in cause["message"] and "Activity task failed" not in cause["message"]
    assert cause["type"] and cause["type"] != "ActivityError"
    assert cause["step"], cause  # the activity it failed in
    assert cause["retryable"] is False
    assert run["failure"].startswith(f"{cause['type']}: {cause['message']}")
    assert f"step {cause['step']}" in run["failure"]
