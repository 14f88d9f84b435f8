"""Inbound webhooks against the real API, Temporal, OpenBao and the Canvas sandbox."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine

from atrium.credentials import Credentials
from tests.api.test_runs import wait_closed
from tests.api.webhook_support import add_canvas, make_source, person_event, signed


@pytest.fixture
async def canvas(engine: Engine, credentials: Credentials, sandbox_url: str) -> str:
    return await add_canvas(engine, credentials, sandbox_url)


async def deliveries(api: httpx.AsyncClient, source: str, count: int) -> list[dict[str, Any]]:
    """The source's delivery log, once it holds ``count`` rows (written after the answer)."""
    for _ in range(100):
        rows = (await api.get("/api/v1/webhooks/deliveries", params={"source": source})).json()
        if len(rows) >= count:
            return rows  # type: ignore[no-any-return]
        await asyncio.sleep(0.05)
    raise AssertionError(f"{source}: expected {count} deliveries, have {len(rows)}")


@pytest.mark.parametrize("scheme", ["atrium", "github"])
async def test_signed_event_starts_the_process_and_updates_canvas(
    api: httpx.AsyncClient, canvas: str, sandbox_url: str, scheme: str
) -> None:
    source, secret = await make_source(api, scheme=scheme, integration=canvas)
    warm_body, warm_headers = signed(secret, {"id": "warm-up", "type": "ping"}, scheme=scheme)
    await api.post(f"/api/v1/webhooks/{source}", content=warm_body, headers=warm_headers)
    event = person_event("U00023", preferred_name="Cleo")
    body, headers = signed(secret, event, scheme=scheme)
    answer = await api.post(f"/api/v1/webhooks/{source}", content=body, headers=headers)
    assert answer.status_code == 202, answer.text
    run = answer.json()
    assert run["status"] == "started" and run["process"] == "profile-update"
    assert run["workflow_id"].startswith(f"profile-update-U00023:{source}:")
    assert "start;dur=" in answer.headers["server-timing"]
    done = await wait_closed(api, run["workflow_id"])
    assert done["status"] == "Completed", done
    assert done["result"]["applied"] == ["email", "preferred_first_name"]
    async with httpx.AsyncClient(base_url=sandbox_url) as sandbox:
        token = (await sandbox.get("/_control/credentials/canvas")).json()["token"]
        user = (
            await sandbox.get(
                "/canvas/api/v1/users/sis_user_id:U00023",
                headers={"Authorization": f"Bearer {token}"},
            )
        ).json()
    assert user["email"] == event["data"]["email"] and user["short_name"] == "Cleo"
    row, _warm_up = await deliveries(api, source, 2)
    assert row["outcome"] == "started" and row["workflow_id"] == run["workflow_id"]
    assert row["event_id"] == event["id"] and row["status_code"] == 202


async def test_answers_without_waiting_for_a_slow_process(
    api: httpx.AsyncClient, canvas: str, sandbox_url: str
) -> None:
    source, secret = await make_source(api, integration=canvas)
    async with httpx.AsyncClient(base_url=sandbox_url) as sandbox:
        await sandbox.put("/_control/faults/canvas", json={"latency_ms": 2000})
        try:
            body, headers = signed(secret, person_event("U00026"))
            began = time.perf_counter()
            answer = await api.post(f"/api/v1/webhooks/{source}", content=body, headers=headers)
            answered_in = time.perf_counter() - began
            assert answer.status_code == 202, answer.text
            # The Canvas PUT alone takes 2 s: the answer came long before the process ended.
            assert answered_in < 1.0
            run = (await api.get(f"/api/v1/runs/{answer.json()['workflow_id']}")).json()
            assert run["status"] == "Running"
            done = await wait_closed(api, answer.json()["workflow_id"])
            assert done["status"] == "Completed"
        finally:
            await sandbox.delete("/_control/faults/canvas")


async def test_duplicate_event_joins_the_same_run_once(api: httpx.AsyncClient, canvas: str) -> None:
    source, secret = await make_source(api, integration=canvas)
    event = person_event("U00024")
    body, headers = signed(secret, event)
    first = await api.post(f"/api/v1/webhooks/{source}", content=body, headers=headers)
    assert first.status_code == 202, first.text
    await wait_closed(api, first.json()["workflow_id"])
    # Redelivered after the run finished (re-signed, as a sender's retry would be).
    body, headers = signed(secret, event)
    again = await api.post(f"/api/v1/webhooks/{source}", content=body, headers=headers)
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "duplicate"
    assert again.json()["workflow_id"] == first.json()["workflow_id"]
    assert again.json()["run_id"] == first.json()["run_id"]
    runs = (await api.get("/api/v1/runs", params={"process": "profile-update"})).json()["items"]
    assert [r["workflow_id"] for r in runs].count(first.json()["workflow_id"]) <= 1
    rows = await deliveries(api, source, 2)
    assert sorted(r["outcome"] for r in rows) == ["duplicate", "started"]


async def test_idempotency_key_header_identifies_an_event_without_id(
    api: httpx.AsyncClient, canvas: str
) -> None:
    source, secret = await make_source(api, integration=canvas)
    event = person_event("U00025")
    del event["id"]
    body, headers = signed(secret, event)
    missing = await api.post(f"/api/v1/webhooks/{source}", content=body, headers=headers)
    assert missing.status_code == 400 and "event id" in missing.json()["error"]
    headers["Idempotency-Key"] = "delivery-42"
    first = await api.post(f"/api/v1/webhooks/{source}", content=body, headers=headers)
    second = await api.post(f"/api/v1/webhooks/{source}", content=body, headers=headers)
    assert first.status_code == 202 and second.status_code == 200
    assert first.json()["workflow_id"] == second.json()["workflow_id"]
    assert first.json()["workflow_id"].endswith(":delivery-42")


async def test_forged_unsigned_replayed_and_oversized_are_refused_and_logged(
    api: httpx.AsyncClient, canvas: str
) -> None:
    source, secret = await make_source(api, integration=canvas)
    url = f"/api/v1/webhooks/{source}"
    event = person_event()
    body, headers = signed(secret, event)
    unsigned = await api.post(url, content=body, headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 401 and "Atrium-Signature" in unsigned.json()["error"]
    _, forged_headers = signed("not-the-secret-at-all", event)
    forged = await api.post(url, content=body, headers=forged_headers)
    assert forged.status_code == 401 and "does not match" in forged.json()["error"]
    tampered = await api.post(url, content=body.replace(b"U000", b"U999"), headers=headers)
    assert tampered.status_code == 401
    old_body, old_headers = signed(secret, event, at=int(time.time()) - 301)
    replayed = await api.post(url, content=old_body, headers=old_headers)
    assert replayed.status_code == 401 and "replay window" in replayed.json()["error"]
    malformed = await api.post(url, content=body, headers={"Atrium-Signature": "t=abc,v1=00"})
    assert malformed.status_code == 400 and malformed.json()["header"] == "Atrium-Signature"
    big_body, big_headers = signed(secret, {**event, "pad": "x" * 300_000})
    oversized = await api.post(url, content=big_body, headers=big_headers)
    assert oversized.status_code == 413 and "body" in oversized.json()["error"]
    unknown = await api.post("/api/v1/webhooks/nobody-here", content=body, headers=headers)
    assert unknown.status_code == 404
    rows = await deliveries(api, source, 6)
    assert {r["outcome"] for r in rows} == {"rejected"}
    assert sorted(r["status_code"] for r in rows) == [400, 401, 401, 401, 401, 413]
    assert all(r["workflow_id"] is None for r in rows)


async def test_mapping_error_is_422_naming_the_field_and_recorded(
    api: httpx.AsyncClient, canvas: str
) -> None:
    source, secret = await make_source(api, integration=canvas)
    event = person_event()
    event["data"]["email"] = "not-an-email"
    del event["data"]["person_id"]
    body, headers = signed(secret, event)
    answer = await api.post(f"/api/v1/webhooks/{source}", content=body, headers=headers)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert "input.person_id" in error and "input.fields.email" in error
    [row] = await deliveries(api, source, 1)
    assert row["outcome"] == "rejected" and row["status_code"] == 422
    assert "input.person_id" in row["reason"]


async def test_unrouted_event_type_is_recorded_not_dropped(
    api: httpx.AsyncClient, canvas: str
) -> None:
    source, secret = await make_source(api, integration=canvas)
    body, headers = signed(secret, {"id": "evt-x", "type": "course.deleted", "data": {}})
    answer = await api.post(f"/api/v1/webhooks/{source}", content=body, headers=headers)
    assert answer.status_code == 200 and answer.json()["status"] == "unrouted"
    [row] = await deliveries(api, source, 1)
    assert row["outcome"] == "unrouted" and "course.deleted" in row["reason"]


async def test_rotated_secret_is_picked_up(api: httpx.AsyncClient, canvas: str) -> None:
    source, old = await make_source(api, integration=canvas)
    body, headers = signed(old, person_event())
    assert (
        await api.post(f"/api/v1/webhooks/{source}", content=body, headers=headers)
    ).status_code == 202
    rotated = await api.post(f"/api/v1/webhooks/sources/{source}/rotate-secret")
    new = rotated.json()["secret"]
    assert rotated.status_code == 200 and new != old
    body, headers = signed(new, person_event())
    answer = await api.post(f"/api/v1/webhooks/{source}", content=body, headers=headers)
    assert answer.status_code == 202, answer.text
    body, headers = signed(old, person_event())
    assert (
        await api.post(f"/api/v1/webhooks/{source}", content=body, headers=headers)
    ).status_code == 401


async def test_management_validates_names_processes_and_mappings(api: httpx.AsyncClient) -> None:
    reserved = await api.post("/api/v1/webhooks/sources", json={"name": "rules"})
    assert reserved.status_code == 422 and "name" in reserved.json()["error"]
    scheme = await api.post("/api/v1/webhooks/sources", json={"name": "abc", "scheme": "md5"})
    assert scheme.status_code == 422 and "scheme" in scheme.json()["error"]
    source, _ = await make_source(api)
    listed = (await api.get("/api/v1/webhooks/sources")).json()
    assert source in [s["name"] for s in listed]
    assert all("secret" not in s for s in listed)
    dup = await api.post("/api/v1/webhooks/sources", json={"name": source})
    assert dup.status_code == 409
    rule = {"source": source, "event_type": "x", "process": "make-coffee", "input_mapping": {}}
    assert (await api.post("/api/v1/webhooks/rules", json=rule)).status_code == 422
    rule |= {"process": "profile-update", "input_mapping": {"person_id": "data.[["}}
    bad = await api.post("/api/v1/webhooks/rules", json=rule)
    assert bad.status_code == 422 and "input_mapping.person_id" in bad.json()["error"]
    rule["source"] = "nobody-here"
    unknown = await api.post("/api/v1/webhooks/rules", json=rule)
    assert unknown.status_code == 422 and "source" in unknown.json()["error"]
