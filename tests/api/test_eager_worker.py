"""The worker inside the API process: a webhook-driven run of an eager process is started
eagerly and run there, on the events queue, without a poll."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy.engine import Engine
from temporalio.client import Client

from api.eager_worker import IDENTITY
from atrium.credentials import Credentials
from atrium.settings import Settings
from tests.api.test_runs import wait_closed
from tests.api.webhook_support import add_canvas, make_source, person_event, signed


async def test_webhook_run_is_taken_by_the_api_process_worker(
    api: httpx.AsyncClient,
    temporal_client: Client,
    settings: Settings,
    engine: Engine,
    credentials: Credentials,
    sandbox_url: str,
) -> None:
    for _ in range(100):  # it connects in the background once the API has started
        ready = (await api.get("/readyz")).json()
        if ready["components"]["eager_worker"] == "running":
            break
        await asyncio.sleep(0.1)
    assert ready["components"]["eager_worker"] == "running", ready
    canvas = await add_canvas(engine, credentials, sandbox_url)
    source, secret = await make_source(api, integration=canvas)
    body, headers = signed(secret, person_event("U00031"))
    answer = await api.post(f"/api/v1/webhooks/{source}", content=body, headers=headers)
    assert answer.status_code == 202, answer.text
    workflow_id = answer.json()["workflow_id"]
    assert (await wait_closed(api, workflow_id))["status"] == "Completed"

    handle = temporal_client.get_workflow_handle(workflow_id)
    assert (await handle.describe()).task_queue == settings.temporal.events_task_queue
    takers = [
        event.workflow_task_started_event_attributes.identity
        async for event in handle.fetch_history_events()
        if event.HasField("workflow_task_started_event_attributes")
    ]
    # One workflow task, handed back with the start answer to the API's own worker: the
    # session's plain workers (identity "<pid>@<host>") poll the same queue but got nothing.
    assert takers == [IDENTITY]
