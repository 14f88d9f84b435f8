"""Designed processes started by webhooks and by the events of other runs, against the real dev
server and worker: a webhook rule naming ``designed:<name>`` starts its latest published version
with the webhook's source as starter; a run's ``run.completed`` starts a triggered process once
per event, filtered, never its own; an unhealthy connection's event does too."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from temporalio.client import Client

from atrium.events.envelope import EventEnvelope
from atrium.events.triggers import TriggerDirectory, start_triggered
from tests.api.designer_support import BASE, ECHO, designed, eventually, ok  # noqa: F401
from tests.api.webhook_support import signed

TRIGGERS = "/api/v1/triggers"

# Reports what started it: the event's fields, mapped into its input.
REPORT = {
    "start": "finish",
    "inputs": {"source": {"type": "string"}, "kind": {"type": "string", "required": False}},
    "steps": [
        {
            "id": "finish",
            "type": "end",
            "output": {"source": "input.source", "kind": "input.kind", "by": "run.started_by"},
        }
    ],
}


@pytest.fixture
async def triggers(api: httpx.AsyncClient) -> AsyncIterator[list[int]]:
    made: list[int] = []
    yield made
    for trigger_id in made:
        assert (await api.delete(f"{TRIGGERS}/{trigger_id}")).status_code in (204, 404)


async def _runs(api: httpx.AsyncClient, name: str, count: int = 1) -> list[dict[str, Any]]:
    async def found() -> Any:
        runs = await ok(api.get(f"{BASE}/{name}/versions/1/runs"))
        return runs["items"] if runs["count"] >= count else None

    return await eventually(found)  # type: ignore[no-any-return]


async def test_a_webhook_rule_starts_a_designed_process_on_its_latest_version(
    api: httpx.AsyncClient,
    temporal_client: Client,
    designed: Callable[..., Awaitable[str]],  # noqa: F811
) -> None:
    process = await designed(api, ECHO, versions=2)
    source = f"src-{uuid.uuid4().hex[:8]}"
    created = await ok(api.post("/api/v1/webhooks/sources", json={"name": source}), 201)
    bad = await api.post(
        "/api/v1/webhooks/rules",
        json={"source": source, "event_type": "x", "process": "designed:no-such-design"},
    )
    assert bad.status_code == 422 and "process" in bad.json()["error"]
    rule = {
        "source": source,
        "event_type": "thing.done",
        "process": f"designed:{process}",
        "input_mapping": {"n": "data.n"},
    }
    await ok(api.post("/api/v1/webhooks/rules", json=rule), 201)
    try:
        event = {"id": f"evt-{uuid.uuid4().hex}", "type": "thing.done", "data": {"n": 5}}
        body, headers = signed(created["secret"], event)
        answer = await ok(
            api.post(f"/api/v1/webhooks/{source}", content=body, headers=headers), 202
        )
        assert answer["status"] == "started" and answer["workflow_id"].startswith(
            f"designed:{process}:v2:"
        )
        result = await temporal_client.get_workflow_handle(answer["workflow_id"]).result()
        assert result["output"] == {"version": 2, "n": 5, "by": f"webhook:{source}"}
        again = await api.post(f"/api/v1/webhooks/{source}", content=body, headers=headers)
        assert again.json()["status"] == "duplicate"

        wrong = {"id": f"evt-{uuid.uuid4().hex}", "type": "thing.done", "data": {"n": "five"}}
        body, headers = signed(created["secret"], wrong)
        refused = await api.post(f"/api/v1/webhooks/{source}", content=body, headers=headers)
        assert refused.status_code == 422 and "input.n" in refused.json()["error"]
    finally:
        await ok(api.delete(f"/api/v1/webhooks/sources/{source}"), 204)


async def test_a_completed_run_triggers_a_designed_process_once_per_event(
    api: httpx.AsyncClient,
    temporal_client: Client,
    settings: Any,
    engine: Engine,
    triggers: list[int],
    designed: Callable[..., Awaitable[str]],  # noqa: F811
) -> None:
    first, then = await designed(api, ECHO), await designed(api, REPORT)
    trigger = {
        "process": then,
        "event_type": "run.completed",
        "filter": f"starts_with(data.workflow_id, 'designed:{first}:')",
        "input_mapping": {"source": "data.workflow_id", "kind": "type"},
    }
    for wrong, field in (
        ({"process": "no-such-design"}, "process"),
        ({"event_type": "run.started"}, "event_type"),
        ({"filter": "data.["}, "filter"),
        ({"input_mapping": {"source": "data.["}}, "input_mapping.source"),
        ({"version": 9}, "version"),
    ):
        answer = await api.post(TRIGGERS, json={**trigger, **wrong})
        assert answer.status_code == 422 and field in answer.text, (wrong, answer.text)
    made = await ok(api.post(TRIGGERS, json=trigger), 201)
    triggers.append(made["id"])
    assert made["id"] in [t["id"] for t in await ok(api.get(TRIGGERS))]

    started = await ok(api.post(f"{BASE}/{first}/versions/1/runs", json={"input": {"n": 1}}), 201)
    await temporal_client.get_workflow_handle(started["workflow_id"]).result()
    [run] = await _runs(api, then)
    assert run["workflow_id"].startswith(f"designed:{then}:trigger{made['id']}:")
    result = await temporal_client.get_workflow_handle(run["workflow_id"]).result()
    assert result["output"] == {
        "source": started["workflow_id"],
        "kind": "run.completed",
        "by": "event:run.completed",
    }

    # The same event again (a retried publish) starts nothing; nor do a filtered-out event and
    # the triggered process's own runs' events.
    directory = TriggerDirectory(engine, 0)
    queue = settings.temporal.task_queue

    def completed(workflow_id: str, event_id: str) -> EventEnvelope:
        data = {"workflow_id": workflow_id, "process": "designed-process"}
        return EventEnvelope(
            id=event_id, type="run.completed", created_at=datetime.now(UTC), data=data
        )

    same = completed(
        started["workflow_id"], f"run.completed:{started['workflow_id']}:{started['run_id']}"
    )
    other = completed("roster-sync-canvas", f"evt-{uuid.uuid4().hex}")
    own = completed(run["workflow_id"], f"evt-{uuid.uuid4().hex}")
    assert await start_triggered(temporal_client, queue, directory, [same, other, own]) == []
    assert len(await _runs(api, then)) == 1

    await ok(api.patch(f"{TRIGGERS}/{made['id']}", json={"enabled": False}))
    fresh = completed(f"designed:{first}:v1:x", f"evt-{uuid.uuid4().hex}")
    assert await start_triggered(temporal_client, queue, directory, [fresh]) == []


async def test_an_unhealthy_connection_triggers_a_designed_process(
    api: httpx.AsyncClient,
    temporal_client: Client,
    settings: Any,
    engine: Engine,
    triggers: list[int],
    designed: Callable[..., Awaitable[str]],  # noqa: F811
) -> None:
    process = await designed(api, REPORT)
    trigger = {
        "process": process,
        "event_type": "integration.unhealthy",
        "input_mapping": {"source": "data.integration", "kind": "type"},
    }
    made = await ok(api.post(TRIGGERS, json=trigger), 201)
    triggers.append(made["id"])
    event = EventEnvelope(
        id=f"integration.unhealthy:{uuid.uuid4().hex}",
        type="integration.unhealthy",
        created_at=datetime.now(UTC),
        data={"integration": "canvas-main", "healthy": False},
    )
    queue, directory = settings.temporal.task_queue, TriggerDirectory(engine, 0)
    [workflow_id] = await start_triggered(temporal_client, queue, directory, [event])
    result = await temporal_client.get_workflow_handle(workflow_id).result()
    assert result["output"]["source"] == "canvas-main"
    assert result["output"]["by"] == "event:integration.unhealthy"
