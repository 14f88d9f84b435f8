"""GET /api/v1/capacity: advice with its figures for a backlog nobody polls and a target that
throttles, none where neither holds; read by administrators and auditors only; a bad queue name
is a 422 naming the field."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.engine import Engine
from temporalio.client import Client

from tests.atrium.capacity.support import (
    recording,
    removed,
    tag,
    throttled_koha,
    unpolled_backlog,
)
from tests.conftest import ClientFor
from tests.workflows.sync_env import eventually


def _advice(body: dict[str, Any], kind: str, subject: str) -> list[dict[str, Any]]:
    return [a for a in body["advice"] if a["kind"] == kind and a["subject"] == subject]


async def test_a_backlog_nobody_polls_is_advised_with_its_figures(
    api: httpx.AsyncClient, temporal_client: Client
) -> None:
    async with unpolled_backlog(temporal_client, 2) as queue:

        async def advised() -> list[dict[str, Any]]:
            answer = await api.get("/api/v1/capacity", params={"task_queue": queue})
            assert answer.status_code == 200, answer.text
            fired = _advice(answer.json(), "start_workers", queue)
            return fired if fired and fired[0]["figures"]["backlog"] == 2 else []

        (advice,) = await eventually(advised, 30)
    assert advice["figures"]["pollers"] == 0 and advice["reasons"]
    assert "nobody polls it (2 workflow tasks wait" in advice["advice"]
    # Atrium's own queues are polled by the session's worker and carry no backlog advice.
    body = (await api.get("/api/v1/capacity")).json()
    assert body["workers"] >= 1 and body["unreadable"] == []
    assert _advice(body, "start_workers", queue) == []


async def test_a_throttling_target_is_advised_and_a_calm_one_is_not(
    api: httpx.AsyncClient, engine: Engine, sandbox_url: str
) -> None:
    throttled, calm = f"koha-{tag()}", f"koha-{tag()}"
    with removed(engine, [throttled, calm], []), recording() as recorder:
        refused = await throttled_koha(sandbox_url, throttled, calm, calls=12)
        recorder.flush(engine)
        body = (await api.get("/api/v1/capacity")).json()
    (advice,) = _advice(body, "throttled", throttled)
    assert advice["figures"] == {"calls": 12, "throttled": refused, "rate": "20/second"}
    assert f"({refused} 429s in 24 h)" in advice["advice"]
    assert [a for a in body["advice"] if a["subject"] == calm] == []
    seen = {c["integration"]: c for c in body["connections"]}
    assert seen[calm]["calls"] == 3 and seen[calm]["throttled"] == 0


async def test_who_may_read_it_and_bad_input(
    api: httpx.AsyncClient, api_url: str, client_for: ClientFor
) -> None:
    auditor = await client_for("auditor")
    assert (await auditor.get("/api/v1/capacity")).status_code == 200
    secretary = await client_for("secretary")
    assert (await secretary.get("/api/v1/capacity")).status_code == 403
    async with httpx.AsyncClient(base_url=api_url) as anonymous:
        assert (await anonymous.get("/api/v1/capacity")).status_code == 401
    bad = await api.get("/api/v1/capacity", params={"task_queue": "no spaces/please"})
    assert bad.status_code == 422 and "task_queue" in bad.text
    many = await api.get("/api/v1/capacity", params=[("task_queue", f"q{i}") for i in range(11)])
    assert many.status_code == 422 and "task_queue" in many.text
