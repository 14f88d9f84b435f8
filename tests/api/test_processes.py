"""GET /processes lists what the API can start: the registry's processes, not the workflows Atrium
starts itself (event delivery, intake batches, alert evaluators)."""

from __future__ import annotations

import httpx

from workflows.registry import PROCESSES, REGISTRY


async def test_the_processes_listed_are_the_registrys_startable_ones(
    api: httpx.AsyncClient,
) -> None:
    listed = (await api.get("/api/v1/processes")).json()
    assert [p["name"] for p in listed] == list(PROCESSES)
    roster = next(p for p in listed if p["name"] == "roster-sync")
    assert (
        roster["workflow_type"] == "roster-sync"
        and "integration" in roster["input_schema"]["properties"]
    )
    for internal in (p.name for p in REGISTRY if p.internal):
        assert (await api.get(f"/api/v1/processes/{internal}")).status_code == 404
