"""Starting, reading, listing, cancelling and signalling runs through the API."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from sqlalchemy.engine import Engine

from atrium.db import session_scope
from atrium.models import Integration


def add_integration(engine: Engine, name: str, base_url: str = "http://127.0.0.1:9") -> None:
    with session_scope(engine) as session:
        session.add(
            Integration(
                name=name, system="generic", base_url=base_url, health_path="/", description=""
            )
        )
        session.commit()


async def wait_closed(api: httpx.AsyncClient, workflow_id: str, seconds: float = 20) -> dict:
    for _ in range(int(seconds / 0.1)):
        body = (await api.get(f"/api/v1/runs/{workflow_id}")).json()
        if body["status"] != "Running":
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"{workflow_id} still running")


async def test_processes_list_their_input_schema(api: httpx.AsyncClient) -> None:
    answer = await api.get("/api/v1/processes")
    assert answer.status_code == 200
    by_name = {p["name"]: p for p in answer.json()}
    schema = by_name["integration-health-check"]["input_schema"]
    assert schema["required"] == ["integration"]
    assert (await api.get("/api/v1/processes/nope")).status_code == 404


async def test_start_run_then_read_its_result(api: httpx.AsyncClient, engine: Engine) -> None:
    name = f"it-{uuid.uuid4().hex[:8]}"
    add_integration(engine, name)
    answer = await api.post(
        "/api/v1/runs", json={"process": "integration-health-check", "input": {"integration": name}}
    )
    assert answer.status_code == 201, answer.text
    run = answer.json()
    assert run["workflow_id"] == f"health-check-{name}"
    assert run["process"] == "integration-health-check"
    assert run["temporal_ui_url"].endswith("/history")
    done = await wait_closed(api, run["workflow_id"])
    assert done["status"] == "Completed"
    assert done["result"]["integration"] == name
    assert done["result"]["healthy"] is False  # port 9 answers nothing
    assert done["integration"] == name


async def test_bad_input_names_the_field(api: httpx.AsyncClient) -> None:
    answer = await api.post(
        "/api/v1/runs",
        json={"process": "integration-health-check", "input": {"integration": "Bad Name!"}},
    )
    assert answer.status_code == 422
    assert "input.integration" in answer.json()["error"]
    missing = await api.post(
        "/api/v1/runs", json={"process": "integration-health-check", "input": {}}
    )
    assert missing.status_code == 422 and "input.integration" in missing.json()["error"]


async def test_unknown_process_malformed_json_and_unknown_run(api: httpx.AsyncClient) -> None:
    unknown = await api.post("/api/v1/runs", json={"process": "make-coffee", "input": {}})
    assert unknown.status_code == 422
    assert "make-coffee" in unknown.json()["error"]
    malformed = await api.post(
        "/api/v1/runs", content=b'{"process": ', headers={"content-type": "application/json"}
    )
    assert malformed.status_code == 422
    assert "malformed JSON" in malformed.json()["error"]
    missing = await api.get("/api/v1/runs/no-such-run")
    assert missing.status_code == 404
    bad_status = await api.get("/api/v1/runs", params={"status": "Sleeping"})
    assert bad_status.status_code == 422 and "status" in bad_status.json()["error"]
    bad_token = await api.get("/api/v1/runs", params={"page_token": "%%%"})
    assert bad_token.status_code in (400, 422)


async def test_list_filters_by_process_and_integration(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    name = f"it-{uuid.uuid4().hex[:8]}"
    add_integration(engine, name)
    run = (
        await api.post(
            "/api/v1/runs",
            json={"process": "integration-health-check", "input": {"integration": name}},
        )
    ).json()
    await wait_closed(api, run["workflow_id"])
    for _ in range(50):  # visibility is eventually consistent
        page = (await api.get("/api/v1/runs", params={"integration": name})).json()
        if page["items"]:
            break
        await asyncio.sleep(0.1)
    assert [r["workflow_id"] for r in page["items"]] == [run["workflow_id"]]
    other = (await api.get("/api/v1/runs", params={"integration": "nobody-here"})).json()
    assert other["items"] == []
    paged = (await api.get("/api/v1/runs", params={"page_size": 1})).json()
    assert len(paged["items"]) == 1


async def test_duplicate_start_joins_the_running_run(
    api: httpx.AsyncClient, engine: Engine, silent_url: str
) -> None:
    name = f"it-{uuid.uuid4().hex[:8]}"
    # A health URL that never answers keeps the first run open while the second start arrives.
    add_integration(engine, name, base_url=silent_url)
    body = {"process": "integration-health-check", "input": {"integration": name}}
    first = await api.post("/api/v1/runs", json=body)
    second = await api.post("/api/v1/runs", json=body)
    assert first.status_code == 201
    assert second.status_code == 200 and second.json()["joined"] is True
    assert first.json()["run_id"] == second.json()["run_id"]
    cancelled = await api.post(f"/api/v1/runs/{first.json()['workflow_id']}/cancel")
    assert cancelled.status_code == 202
    done = await wait_closed(api, first.json()["workflow_id"])
    assert done["status"] == "Canceled"
    again = await api.post(f"/api/v1/runs/{first.json()['workflow_id']}/cancel")
    assert again.status_code == 409


async def test_signal_must_be_one_the_process_declares(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    name = f"it-{uuid.uuid4().hex[:8]}"
    add_integration(engine, name)
    run = (
        await api.post(
            "/api/v1/runs",
            json={"process": "integration-health-check", "input": {"integration": name}},
        )
    ).json()
    answer = await api.post(
        f"/api/v1/runs/{run['workflow_id']}/signals/approve", json={"payload": {}}
    )
    assert answer.status_code == 404
    assert "approve" in answer.json()["error"]


async def test_run_detail_shows_input_and_list_filters_by_start_time(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    from datetime import UTC, datetime, timedelta

    name = f"it-{uuid.uuid4().hex[:8]}"
    add_integration(engine, name)
    before = datetime.now(UTC) - timedelta(seconds=5)
    run = (
        await api.post(
            "/api/v1/runs",
            json={"process": "integration-health-check", "input": {"integration": name}},
        )
    ).json()
    done = await wait_closed(api, run["workflow_id"])
    assert done["input"] == {"integration": name}
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    for _ in range(50):
        recent = (
            await api.get(
                "/api/v1/runs", params={"integration": name, "started_after": before.isoformat()}
            )
        ).json()
        if recent["items"]:
            break
        await asyncio.sleep(0.1)
    assert [r["workflow_id"] for r in recent["items"]] == [run["workflow_id"]]
    future = (await api.get("/api/v1/runs", params={"started_after": later})).json()
    assert future["items"] == []
    bad = await api.get("/api/v1/runs", params={"started_after": "yesterday-ish"})
    assert bad.status_code == 422 and "started_after" in bad.json()["error"]


async def test_the_list_counts_its_runs_and_pages_by_token(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    """Visibility pages by token and knows no total: the answer carries Temporal's count of the
    runs the filters match, so a page of 2 under 3 runs says 3 (not "1-10 of 10")."""
    name = f"it-{uuid.uuid4().hex[:8]}"
    add_integration(engine, name)
    run_ids = []
    for _ in range(3):  # one workflow id, three runs: each starts once the last has finished
        answer = await api.post(
            "/api/v1/runs",
            json={"process": "integration-health-check", "input": {"integration": name}},
        )
        assert answer.status_code == 201, answer.text
        run_ids.append((await wait_closed(api, answer.json()["workflow_id"]))["run_id"])
    assert len(set(run_ids)) == 3
    for _ in range(50):  # visibility is eventually consistent
        first = (await api.get("/api/v1/runs", params={"integration": name, "page_size": 2})).json()
        if first["total"] == 3 and len(first["items"]) == 2:
            break
        await asyncio.sleep(0.1)
    assert first["total"] == 3 and len(first["items"]) == 2
    assert first["next_page_token"]
    second = (
        await api.get(
            "/api/v1/runs",
            params={"integration": name, "page_size": 2, "page_token": first["next_page_token"]},
        )
    ).json()
    assert second["total"] == 3 and len(second["items"]) == 1
    assert second["next_page_token"] is None
    seen = {r["run_id"] for r in first["items"] + second["items"]}
    assert seen == set(run_ids)
    nobody = (await api.get("/api/v1/runs", params={"integration": "nobody-here"})).json()
    assert nobody == {"items": [], "next_page_token": None, "total": 0}
