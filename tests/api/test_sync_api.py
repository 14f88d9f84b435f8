"""Mappings CRUD with versions and dry runs; quarantine and conflicts answer clear 4xx."""

from __future__ import annotations

import uuid

import httpx

from atrium.sync.defaults import ONEROSTER

SPEC = {
    "fields": dict(ONEROSTER["enrollments"].fields),
    "value_maps": {"primary": {"true": True, "false": False}},
}
RECORD = {
    "sourcedId": "enr-1",
    "status": "active",
    "dateLastModified": "2026-07-01T00:00:00.000Z",
    "user": {"sourcedId": "stu-1"},
    "class": {"sourcedId": "cls-1"},
    "school": {"sourcedId": "sch-1"},
    "role": "student",
    "primary": False,
}


async def test_mappings_are_versioned(api: httpx.AsyncClient) -> None:
    name = f"enr-{uuid.uuid4().hex[:6]}"
    made = await api.post(
        "/api/v1/mappings", json={"name": name, "record_type": "enrollments", "spec": SPEC}
    )
    assert made.status_code == 201 and made.json()["version"] == 1
    twice = await api.post(
        "/api/v1/mappings", json={"name": name, "record_type": "enrollments", "spec": SPEC}
    )
    assert twice.status_code == 409 and "name" in twice.json()["error"]
    spec2 = {**SPEC, "defaults": {"school_id": "sch-0"}}
    second = await api.put(
        f"/api/v1/mappings/{name}", json={"spec": spec2, "description": "default school"}
    )
    assert second.status_code == 200 and second.json()["version"] == 2
    assert (await api.get(f"/api/v1/mappings/{name}")).json()["version"] == 2
    versions = (await api.get(f"/api/v1/mappings/{name}/versions")).json()
    assert [v["version"] for v in versions] == [1, 2] and versions[0]["spec"] == SPEC
    listed = {m["name"]: m["version"] for m in (await api.get("/api/v1/mappings")).json()}
    assert listed[name] == 2
    assert (await api.get(f"/api/v1/mappings/{name}/versions/9")).status_code == 404
    assert (await api.get("/api/v1/mappings/no-such-mapping")).status_code == 404


async def test_mapping_errors_name_the_field(api: httpx.AsyncClient) -> None:
    unknown_type = await api.post(
        "/api/v1/mappings", json={"name": "x1", "record_type": "pets", "spec": SPEC}
    )
    assert unknown_type.status_code == 422 and "record_type" in unknown_type.json()["error"]
    bad_field = await api.post(
        "/api/v1/mappings",
        json={"name": "x2", "record_type": "users", "spec": {"fields": {"nick": "n"}}},
    )
    assert bad_field.status_code == 422 and "spec.fields" in bad_field.json()["error"]
    no_fields = await api.post(
        "/api/v1/mappings", json={"name": "x3", "record_type": "users", "spec": {}}
    )
    assert no_fields.status_code == 422 and "spec.fields" in no_fields.json()["error"]
    bad_name = await api.post(
        "/api/v1/mappings", json={"name": "Bad Name", "record_type": "enrollments", "spec": SPEC}
    )
    assert bad_name.status_code == 422 and "name" in bad_name.json()["error"]


async def test_dry_run_shows_each_record_without_saving(api: httpx.AsyncClient) -> None:
    broken = {**RECORD, "sourcedId": "enr-2", "role": "wizard"}
    answer = await api.post(
        "/api/v1/mappings/dry-run",
        json={"record_type": "enrollments", "spec": SPEC, "records": [RECORD, broken]},
    )
    assert answer.status_code == 200, answer.text
    ok, bad = answer.json()
    assert ok["ok"] and ok["record"]["person_id"] == "stu-1" and ok["version"]
    assert not bad["ok"] and bad["stage"] == "validation" and "role" in bad["reason"]
    empty = await api.post(
        "/api/v1/mappings/dry-run", json={"record_type": "enrollments", "spec": SPEC, "records": []}
    )
    assert empty.status_code == 422 and "records" in empty.json()["error"]


async def test_quarantine_and_conflicts_answer_clear_4xx(api: httpx.AsyncClient) -> None:
    assert (await api.get("/api/v1/quarantine/999999")).status_code == 404
    assert (await api.post("/api/v1/quarantine/999999/retry")).status_code == 404
    bad_status = await api.get("/api/v1/quarantine", params={"status": "sleeping"})
    assert bad_status.status_code == 422 and "status" in bad_status.json()["error"]
    assert (await api.get("/api/v1/conflicts/999999")).status_code == 404
    missing = await api.post("/api/v1/conflicts/999999/resolve", json={"choose": "canvas"})
    assert missing.status_code == 404
    assert (await api.get("/api/v1/conflicts", params={"status": "odd"})).status_code == 422
