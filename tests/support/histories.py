"""Records workflow histories for the replay test (tests/workflows/test_replay.py).

A pytest plugin, loaded only on purpose:

    ATRIUM_RECORD_HISTORIES=tests/workflows/histories pytest -p tests.support.histories tests

When the session ends it reads, from the session's Temporal server, every run on the session's
task queues and keeps per workflow type the completed run with the most events and the failed run
with the most events, as JSON (Temporal's own history format) named ``<Type>.<status>.json``.
Histories over ``MAX_BYTES`` are left out: the gate replays them all, and must stay quick.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowExecutionStatus

from atrium.settings import Settings

MAX_BYTES = 1_500_000
KEPT = {WorkflowExecutionStatus.COMPLETED: "completed", WorkflowExecutionStatus.FAILED: "failed"}


async def record(client: Client, queues: list[str], folder: Path) -> dict[str, int]:
    """Writes the chosen histories into ``folder``; returns {file name: events}."""
    best: dict[tuple[str, str], tuple[int, str]] = {}
    query = " OR ".join(f"TaskQueue = '{q}'" for q in queues)
    async for run in client.list_workflows(query):
        status = KEPT.get(run.status) if run.status else None
        if status is None:
            continue
        history = await client.get_workflow_handle(run.id, run_id=run.run_id).fetch_history()
        text = history.to_json()
        key = (run.workflow_type, status)
        if len(text) <= MAX_BYTES and len(history.events) > best.get(key, (0, ""))[0]:
            best[key] = (len(history.events), text)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for (workflow_type, status), (events, text) in sorted(best.items()):
        name = f"{workflow_type}.{status}.json"
        (folder / name).write_text(text)
        written[name] = events
    return written


@pytest.fixture(scope="session", autouse=True)
async def record_histories(temporal_client: Client, settings: Settings) -> AsyncIterator[None]:
    folder = os.environ.get("ATRIUM_RECORD_HISTORIES")
    yield
    if folder:
        queues = [settings.temporal.task_queue, settings.temporal.events_task_queue]
        written = await record(temporal_client, queues, Path(folder))
        print(f"\nrecorded {len(written)} histories into {folder}: {written}")
