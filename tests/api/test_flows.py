"""The data-flow graph after real roster syncs from a private sandbox SIS: one into its Canvas
(completes) and one into a Canvas whose secret is wrong (fails): each is an edge from the SIS to
that LMS with its runs, error rate, p95 and the records written; an edge's runs; the window and
edge are validated; students see only flows of runs about them. The declarations of
workflows/flows.py are checked against the registrations."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import func, select
from temporalio.client import Client
from temporalio.worker import Worker

from atrium.credentials import Credentials, origin_of
from atrium.db import session_scope
from atrium.models import SyncRecord
from tests.api.flow_support import Synced, make_synced, remove_synced, sync_through_api
from tests.conftest import ClientFor
from tests.workflows.sync_env import SyncSandbox, start_sandbox
from workflows.flows import End, Flow, declare, field, node
from workflows.registry import DECLARED_FLOWS, REGISTRY


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncSandbox]:
    yield from start_sandbox(tmp_path_factory.mktemp("flows-sandbox"))


@pytest.fixture(scope="module")
async def synced(
    sandbox: SyncSandbox,
    engine: Engine,
    credentials: Credentials,
    api_url: str,
    admin_token: str,
    worker: Worker,
    temporal_client: Client,
) -> AsyncIterator[Synced]:
    """``targets``: the good Canvas first, then the one whose token Canvas refuses."""
    headers = {"Authorization": f"Bearer {admin_token}"}
    async with httpx.AsyncClient(base_url=api_url, timeout=60, headers=headers) as api:
        synced = await make_synced(api, engine, credentials, sandbox, ("canvas", "canvas"))
        try:
            good, bad = list(synced.targets)
            await credentials.store(
                bad, {"token": "revoked-token"}, origin=origin_of(sandbox.base("canvas"))
            )
            assert (await sync_through_api(api, temporal_client, synced, good))["status"] == (
                "COMPLETED"
            )
            assert (await sync_through_api(api, temporal_client, synced, bad))["status"] == (
                "FAILED"
            )
            yield synced
        finally:
            await remove_synced(engine, credentials, synced)


def _written(engine: Engine, integration: str, run: tuple[str, str]) -> int:
    with session_scope(engine) as session:
        return int(
            session.exec(
                select(func.count()).where(
                    SyncRecord.integration == integration,
                    SyncRecord.written_run == f"{run[0]}:{run[1]}",
                )
            ).one()
        )


async def test_each_sync_is_an_edge_from_the_sis_to_its_lms_with_live_figures(
    api: httpx.AsyncClient, engine: Engine, synced: Synced
) -> None:
    good, bad = list(synced.targets)
    answer = await api.get("/api/v1/flows", params={"window": "1h"})
    assert answer.status_code == 200, answer.text
    graph = answer.json()
    assert graph["window"] == "1h" and graph["truncated"] is False
    nodes = {n["id"]: n for n in graph["nodes"]}
    assert nodes[synced.source]["system"] == "oneroster" and nodes[good]["system"] == "canvas"
    edges = {e["id"]: e for e in graph["edges"]}

    ok = edges[f"roster-sync:{synced.source}:{good}"]
    assert (ok["source"], ok["target"], ok["process"]) == (synced.source, good, "roster-sync")
    assert (ok["runs"], ok["completed"], ok["failed"], ok["running"]) == (1, 1, 0, 0)
    assert ok["error_rate"] == 0.0 and ok["p95_seconds"] > 0
    written = _written(engine, good, synced.runs[good])
    assert written > 1500  # the demo school's users, classes and enrollments
    assert ok["records"] == written and ok["quarantined"] == 0

    failing = edges[f"roster-sync:{synced.source}:{bad}"]
    assert (failing["runs"], failing["completed"], failing["failed"]) == (1, 0, 1)
    assert failing["error_rate"] == 1.0 and failing["p95_seconds"] is None
    assert failing["records"] == 0


async def test_an_edges_runs_are_listed_with_their_records(
    api: httpx.AsyncClient, engine: Engine, synced: Synced
) -> None:
    good, bad = list(synced.targets)
    edge = f"roster-sync:{synced.source}:{good}"
    answer = await api.get(f"/api/v1/flows/edges/{edge}/runs", params={"window": "24h"})
    assert answer.status_code == 200, answer.text
    [run] = answer.json()
    assert (run["workflow_id"], run["run_id"]) == synced.runs[good]
    assert run["status"] == "Completed" and run["seconds"] > 0
    assert run["records"] == _written(engine, good, synced.runs[good])
    assert run["temporal_ui_url"].endswith(f"/{run['workflow_id']}/{run['run_id']}/history")
    [failed] = (await api.get(f"/api/v1/flows/edges/roster-sync:{synced.source}:{bad}/runs")).json()
    assert failed["status"] == "Failed" and failed["records"] == 0


async def test_bad_windows_and_edges_are_4xx_naming_them(
    api: httpx.AsyncClient, synced: Synced
) -> None:
    for params in ({"window": "2h"}, {"window": ""}):
        answer = await api.get("/api/v1/flows", params=params)
        assert answer.status_code == 422 and "window" in answer.json()["error"], answer.text
    bad = await api.get("/api/v1/flows/edges/not an edge/runs")
    assert bad.status_code == 422 and "edge_id" in bad.json()["error"], bad.text
    none = await api.get(f"/api/v1/flows/edges/backfill:{synced.source}:nowhere/runs")
    assert none.status_code == 404 and "edge_id" in none.json()["error"], none.text


async def test_students_see_only_flows_of_runs_about_them(
    client_for: ClientFor, synced: Synced
) -> None:
    """The roster syncs' subject is the SIS connection, no person: a student's graph has none of
    them, nor the inventory's connections; a leader sees the whole school."""
    good, _ = list(synced.targets)
    edge = f"roster-sync:{synced.source}:{good}"
    for role in ("student", "professor"):
        caller = await client_for(role, person_id="p-1", class_ids=["c-1"])
        graph = await caller.get("/api/v1/flows", params={"window": "1h"})
        assert graph.status_code == 200, (role, graph.text)
        assert graph.json()["edges"] == [] and graph.json()["nodes"] == []
        runs = await caller.get(f"/api/v1/flows/edges/{edge}/runs")
        assert runs.status_code == 404, (role, runs.text)
    leader = await client_for("leader")
    seen = (await leader.get("/api/v1/flows", params={"window": "1h"})).json()
    assert edge in {e["id"] for e in seen["edges"]}
    assert (await leader.get(f"/api/v1/flows/edges/{edge}/runs")).status_code == 200


def test_flow_ends_are_read_from_the_runs_search_attributes_where_they_carry_them() -> None:
    by_process = {d.flow.process: d for d in DECLARED_FLOWS}
    assert by_process["roster-sync"].carried == {"integration": "integration", "source": "subject"}
    assert by_process["grade-passback"].carried == {"lms": "integration", "sis": "subject"}
    assert by_process["library-provisioning"].carried == {"library": "integration"}  # sis: input
    assert by_process["profile-sync"].carried == {}  # its attribute is the pair's name
    with pytest.raises(ValueError, match="unknown process"):
        declare((Flow("no-such-process", node("atrium"), field("x"), "-"),), REGISTRY)
    with pytest.raises(ValueError, match="not fields of its input"):
        declare((Flow("roster-sync", field("sourc"), field("integration"), "-"),), REGISTRY)
    with pytest.raises(ValueError, match="a field or a node"):
        Flow("roster-sync", field("source"), End(), "-")
