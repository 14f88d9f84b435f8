"""Schedules through the API, against the real dev server: a schedule triggered now starts its
run (a built-in process's and a designed process's, on the latest published version); a paused
one starts none; every field a caller gets wrong is named; delete removes it from Temporal."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from atrium.db import session_scope
from atrium.models import AuditEvent
from tests.api.designer_support import BASE, ECHO, designed, eventually, ok  # noqa: F401

SCHEDULES = "/api/v1/schedules"


@pytest.fixture
async def schedules(api: httpx.AsyncClient, temporal_client: Client) -> AsyncIterator[list[str]]:
    """Names of the schedules a test made: deleted from Temporal afterwards, whatever happened."""
    made: list[str] = []
    yield made
    for name in made:
        try:
            await temporal_client.get_schedule_handle(f"process:{name}").delete()
        except RPCError as exc:
            assert exc.status == RPCStatusCode.NOT_FOUND


def _name(made: list[str]) -> str:
    made.append(f"s-{uuid.uuid4().hex[:8]}")
    return made[-1]


async def _finished(temporal_client: Client, workflow_id: str) -> Any:
    return await temporal_client.get_workflow_handle(workflow_id).result()


async def test_a_schedule_triggered_now_starts_its_run_and_delete_removes_it(
    api: httpx.AsyncClient, schedules: list[str], temporal_client: Client, engine: Engine
) -> None:
    name = _name(schedules)
    body = {
        "name": name,
        "process": "integration-health-check-all",
        "cron": ["0 2 * * *"],
        "time_zone": "Europe/Paris",
        "overlap": "skip",
        "catchup_window_seconds": 600,
    }
    created = await ok(api.post(SCHEDULES, json=body), 201)
    assert (created["cron"], created["time_zone"], created["paused"]) == (
        ["0 2 * * *"],
        "Europe/Paris",
        False,
    )
    assert created["catchup_window_seconds"] == 600 and created["next_times"]
    assert name in [s["name"] for s in await ok(api.get(SCHEDULES))]

    await ok(api.post(f"{SCHEDULES}/{name}/trigger", json={}), 202)

    async def started() -> Any:
        found = await ok(api.get(f"{SCHEDULES}/{name}"))
        return found["recent"] or None

    [run] = await eventually(started)
    assert run["workflow_id"].startswith("health-check-all")  # the business key, then the time
    await _finished(temporal_client, run["workflow_id"])

    await ok(api.delete(f"{SCHEDULES}/{name}"), 204)
    assert (await api.get(f"{SCHEDULES}/{name}")).status_code == 404
    with pytest.raises(RPCError) as gone:
        await temporal_client.get_schedule_handle(f"process:{name}").describe()
    assert gone.value.status == RPCStatusCode.NOT_FOUND
    with session_scope(engine) as session:
        actions = session.exec(
            select(AuditEvent.action).where(col(AuditEvent.action).contains(name))
        ).all()
    assert {a.split(" ")[1] for a in actions} == {"CREATE", "TRIGGER", "DELETE"}


async def test_a_paused_schedule_starts_nothing_and_a_designed_one_runs_the_latest_version(
    api: httpx.AsyncClient,
    schedules: list[str],
    temporal_client: Client,
    designed: Callable[..., Awaitable[str]],  # noqa: F811
) -> None:
    process = await designed(api, ECHO)
    name = _name(schedules)
    body = {
        "name": name,
        "process": f"designed:{process}",
        "input": {"n": 7},
        "interval_seconds": 10,
        "paused": True,
    }
    created = await ok(api.post(SCHEDULES, json=body), 201)
    assert (created["paused"], created["version"], created["interval_seconds"]) == (True, None, 10)
    refused = await api.post(f"{SCHEDULES}/{name}/trigger", json={})
    assert refused.status_code == 409 and "paused" in refused.json()["error"]
    await asyncio.sleep(12)  # more than one interval
    assert (await ok(api.get(f"{SCHEDULES}/{name}")))["actions"] == 0

    await ok(api.post(f"{BASE}/{process}/publish"), 201)  # v2, published after the schedule
    await ok(api.post(f"{SCHEDULES}/{name}/unpause", json={}))
    await ok(api.post(f"{SCHEDULES}/{name}/trigger", json={}), 202)

    async def started() -> Any:
        return (await ok(api.get(f"{SCHEDULES}/{name}")))["recent"] or None

    run = (await eventually(started))[0]
    assert run["workflow_id"].startswith(f"designed:{process}:schedule:{name}")
    result = await _finished(temporal_client, run["workflow_id"])
    assert (result["version"], result["output"]["n"]) == (2, 7)
    assert result["output"]["by"] == (await ok(api.get("/api/v1/auth/me")))["subject"]
    view = await ok(api.get(f"{BASE}/{process}/runs/{run['workflow_id']}"))
    assert (view["version"], view["status"]) == (2, "completed")
    counted = await ok(api.get(f"{BASE}/{process}/versions"))

    async def on_v2() -> Any:
        counted = await ok(api.get(f"{BASE}/{process}/versions"))
        return counted[1]["runs"] == 1 or None

    await eventually(on_v2)  # counted on the version it ran, not the one it was scheduled on
    assert counted[0]["runs"] == 0

    changed = await ok(api.patch(f"{SCHEDULES}/{name}", json={"version": 1, "cron": ["@daily"]}))
    assert (changed["version"], changed["cron"], changed["interval_seconds"]) == (
        1,
        ["@daily"],
        None,
    )
    await ok(api.delete(f"{SCHEDULES}/{name}"), 204)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"process": "no-such-process"}, "process"),
        ({"cron": ["every day"]}, "cron"),
        ({"cron": ["0 2 * * *"], "interval_seconds": 60}, "cron"),
        ({"cron": None}, "cron"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"interval_seconds": 1}, "interval_seconds"),
        ({"version": 1}, "version"),
        ({"process": "integration-health-check", "input": {}}, "input.integration"),
        ({"process": "designed:nothing-here"}, "process"),
        ({"name": "Bad Name"}, "name"),
    ],
)
async def test_every_wrong_field_is_named(
    api: httpx.AsyncClient, schedules: list[str], change: dict[str, Any], field: str
) -> None:
    body = {"name": _name(schedules), "process": "integration-health-check-all", "cron": ["@daily"]}
    answer = await api.post(SCHEDULES, json={**body, **change})
    assert answer.status_code in (409, 422), answer.text
    assert field in answer.text, answer.text
