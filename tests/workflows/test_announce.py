"""Every run tells subscribers how it ended (workflows/announce.py), and a run whose starter
found nobody subscribed publishes nothing."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
from sqlalchemy.engine import Engine
from temporalio.client import Client

from api.starter import start_process
from atrium.credentials import Credentials
from atrium.settings import Settings
from atrium.temporal import TaskQueues
from tests.api.test_runs import add_integration, wait_closed
from tests.api.webhook_support import Subscriber, add_canvas, subscriber_server
from workflows.profile_update import ProfileUpdateInput
from workflows.registry import PROCESSES


async def _received(sub: Subscriber, workflow_id: str, seconds: float = 15) -> list[dict]:
    """The events about ``workflow_id`` the subscriber got (others' runs may be announced too)."""
    for _ in range(int(seconds / 0.1)):
        ours = [
            event
            for _, body in sub.received
            if (event := json.loads(body))["data"].get("workflow_id") == workflow_id
        ]
        if ours:
            return ours
        await asyncio.sleep(0.1)
    return []


async def test_completed_and_failed_runs_of_any_process_are_announced(
    api: httpx.AsyncClient, engine: Engine, credentials: Credentials, sandbox_url: str
) -> None:
    name = f"an-{uuid.uuid4().hex[:8]}"
    add_integration(engine, name)  # nothing listens there: the check completes, "down"
    canvas = await add_canvas(engine, credentials, sandbox_url)
    with subscriber_server(Subscriber()) as sub:
        created = await api.post(
            "/api/v1/subscriptions",
            json={"url": sub.url, "event_types": ["run.completed", "run.failed"]},
        )
        assert created.status_code == 201, created.text
        check = await api.post(
            "/api/v1/runs",
            json={"process": "integration-health-check", "input": {"integration": name}},
        )
        failing = await api.post(
            "/api/v1/runs",
            json={
                "process": "profile-update",  # an unknown person: Canvas answers 404 (permanent)
                "input": {
                    "person_id": "P-nobody",
                    "integration": canvas,
                    "fields": {"phone": "12345"},
                },
            },
        )
        assert (await wait_closed(api, check.json()["workflow_id"]))["status"] == "Completed"
        assert (await wait_closed(api, failing.json()["workflow_id"]))["status"] == "Failed"
        completed = await _received(sub, check.json()["workflow_id"])
        failed = await _received(sub, failing.json()["workflow_id"])
        await api.delete(f"/api/v1/subscriptions/{created.json()['id']}")
    assert [e["type"] for e in completed] == ["run.completed"]
    assert completed[0]["data"]["process"] == "integration-health-check"
    assert [e["type"] for e in failed] == ["run.failed"]
    assert "404" in failed[0]["data"]["error"] or "not found" in failed[0]["data"]["error"].lower()


async def _markers(client: Client, workflow_id: str) -> list[str]:
    handle = client.get_workflow_handle(workflow_id)
    return [
        event.marker_recorded_event_attributes.marker_name
        async for event in handle.fetch_history_events()
        if event.HasField("marker_recorded_event_attributes")
    ]


async def test_a_run_publishes_only_what_had_subscribers_when_it_started(
    temporal_client: Client,
    settings: Settings,
    engine: Engine,
    credentials: Credentials,
    sandbox_url: str,
    worker: object,
) -> None:
    queues = TaskQueues.from_settings(settings.temporal)
    canvas = await add_canvas(engine, credentials, sandbox_url)
    runs = {}
    for label, announce in (("nobody", []), ("synced", ["record.synced"])):
        arg = ProfileUpdateInput.model_validate(
            {"person_id": "U00027", "integration": canvas, "fields": {"email": f"{label}@x.edu"}}
        )
        handle, _ = await start_process(
            temporal_client,
            queues,
            PROCESSES["profile-update"],
            arg,
            workflow_id=f"announce-{label}-{uuid.uuid4().hex[:6]}",
            announce=announce,
        )
        await handle.result()
        runs[label] = await _markers(temporal_client, handle.id)
    # One local activity (the PUT) when nobody listens; the publish only when asked for.
    assert len(runs["nobody"]) == 1
    assert len(runs["synced"]) == 2
