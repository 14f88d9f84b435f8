"""The integration inventory and its write-only secrets through the API."""

from __future__ import annotations

import uuid

import httpx

from atrium.credentials import Credentials


def new_name() -> str:
    return f"int-{uuid.uuid4().hex[:8]}"


async def test_create_read_update_delete(api: httpx.AsyncClient) -> None:
    name = new_name()
    body = {
        "name": name,
        "system": "canvas",
        "base_url": "http://127.0.0.1:9/canvas/",
        "health_path": "/api/v1/accounts/1",
    }
    created = await api.post("/api/v1/integrations", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["base_url"] == "http://127.0.0.1:9/canvas"
    assert created.json()["has_secret"] is False and created.json()["status"] == "unknown"
    assert (await api.post("/api/v1/integrations", json=body)).status_code == 409
    patched = await api.patch(f"/api/v1/integrations/{name}", json={"description": "main LMS"})
    assert patched.json()["description"] == "main LMS"
    bad_patch = await api.patch(f"/api/v1/integrations/{name}", json={"base_url": "ftp://x"})
    assert bad_patch.status_code == 422 and "base_url" in bad_patch.json()["error"]
    listed = (await api.get("/api/v1/integrations", params={"system": "canvas"})).json()
    assert name in [i["name"] for i in listed["items"]]
    found = (await api.get("/api/v1/integrations", params={"q": name.upper()})).json()
    assert [i["name"] for i in found["items"]] == [name] and found["total"] == 1
    by_text = (await api.get("/api/v1/integrations", params={"q": "MAIN lms"})).json()
    assert name in [i["name"] for i in by_text["items"]]
    none = (await api.get("/api/v1/integrations", params={"q": "100%_nothing"})).json()
    assert none == {"items": [], "total": 0}
    assert (await api.delete(f"/api/v1/integrations/{name}")).status_code == 204
    assert (await api.get(f"/api/v1/integrations/{name}")).status_code == 404


async def test_invalid_integration_names_the_field(api: httpx.AsyncClient) -> None:
    answer = await api.post(
        "/api/v1/integrations", json={"name": "x", "system": "blackboard", "base_url": "http://x"}
    )
    assert answer.status_code == 422
    assert "system" in answer.json()["error"]
    fields = {f["field"] for f in answer.json()["fields"]}
    assert fields == {"system"}
    bad_name = await api.post(
        "/api/v1/integrations",
        json={"name": "Bad Name", "system": "canvas", "base_url": "http://x"},
    )
    assert bad_name.status_code == 422
    assert {f["field"] for f in bad_name.json()["fields"]} == {"name"}


async def test_secret_is_write_only_and_lands_in_vault(
    api: httpx.AsyncClient, credentials: Credentials
) -> None:
    name = new_name()
    await api.post(
        "/api/v1/integrations",
        json={"name": name, "system": "generic", "base_url": "http://127.0.0.1:9"},
    )
    value = "s3cr3t-" + uuid.uuid4().hex
    put = await api.put(f"/api/v1/integrations/{name}/secret", json={"values": {"token": value}})
    assert put.status_code == 200
    assert put.json()["version"] == 1 and put.json()["fields"] == ["token"]
    rotated = await api.put(
        f"/api/v1/integrations/{name}/secret", json={"values": {"token": value + "2"}}
    )
    assert rotated.json()["version"] == 2
    for path in (
        f"/api/v1/integrations/{name}",
        f"/api/v1/integrations/{name}/secret",
        "/api/v1/integrations",
    ):
        text = (await api.get(path)).text
        assert value not in text, path
    assert (await api.get(f"/api/v1/integrations/{name}")).json()["has_secret"] is True
    assert await credentials.read(name) == {"token": value + "2"}
    empty = await api.put(f"/api/v1/integrations/{name}/secret", json={"values": {}})
    assert empty.status_code == 422 and "values" in empty.json()["error"]
    assert (await api.delete(f"/api/v1/integrations/{name}/secret")).status_code == 204
    assert (await api.get(f"/api/v1/integrations/{name}/secret")).status_code == 404


async def test_health_check_now_runs_the_process(api: httpx.AsyncClient) -> None:
    name = new_name()
    await api.post(
        "/api/v1/integrations",
        json={"name": name, "system": "generic", "base_url": "http://127.0.0.1:9"},
    )
    started = await api.post(f"/api/v1/integrations/{name}/health-check")
    assert started.status_code == 202
    workflow_id = started.json()["workflow_id"]
    for _ in range(100):
        run = (await api.get(f"/api/v1/runs/{workflow_id}")).json()
        if run["status"] != "Running":
            break
        import asyncio

        await asyncio.sleep(0.1)
    assert run["status"] == "Completed"
    history = (await api.get(f"/api/v1/integrations/{name}/health")).json()
    assert len(history) == 1 and history[0]["healthy"] is False
    assert (await api.post("/api/v1/integrations/nope/health-check")).status_code == 404
