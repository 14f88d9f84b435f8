"""Subscriptions through the API: validation, the secret shown once and kept in Vault, and
run.started delivered when a run is started through the API."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
from sqlalchemy.engine import Engine

from atrium.credentials import Credentials
from atrium.db import session_scope
from atrium.models import Subscription
from tests.api.test_runs import wait_closed
from tests.api.webhook_support import Subscriber, add_canvas, subscriber_server


async def test_create_validates_and_shows_the_secret_once(
    api: httpx.AsyncClient, credentials: Credentials, engine: Engine
) -> None:
    bad_url = await api.post("/api/v1/subscriptions", json={"url": "ftp://x", "event_types": ["*"]})
    assert bad_url.status_code == 422 and "url" in bad_url.json()["error"]
    bad_type = await api.post(
        "/api/v1/subscriptions", json={"url": "http://127.0.0.1:9/x", "event_types": ["run.nap"]}
    )
    assert bad_type.status_code == 422 and "event_types" in bad_type.json()["error"]
    created = await api.post(
        "/api/v1/subscriptions", json={"url": "http://127.0.0.1:9/x", "event_types": ["*"]}
    )
    assert created.status_code == 201
    body = created.json()
    with session_scope(engine) as session:
        secret_name = session.get(Subscription, body["id"]).secret_name  # type: ignore[union-attr]
    stored = await credentials.read(secret_name)
    assert stored["secret"] == body["secret"]
    listed = (await api.get("/api/v1/subscriptions")).json()
    assert body["id"] in [s["id"] for s in listed] and all("secret" not in s for s in listed)
    paused = await api.patch(f"/api/v1/subscriptions/{body['id']}", json={"active": False})
    assert paused.status_code == 200 and paused.json()["active"] is False
    assert (await api.delete(f"/api/v1/subscriptions/{body['id']}")).status_code == 204
    assert (await api.get(f"/api/v1/subscriptions/{body['id']}")).status_code == 404


async def test_run_started_through_the_api_is_delivered(
    api: httpx.AsyncClient, engine: Engine, credentials: Credentials, sandbox_url: str
) -> None:
    canvas = await add_canvas(engine, credentials, sandbox_url)
    with subscriber_server(Subscriber()) as sub:
        created = await api.post(
            "/api/v1/subscriptions",
            json={"url": sub.url, "event_types": ["run.started", "run.completed"]},
        )
        person = f"P{uuid.uuid4().hex[:6]}"
        # An unknown person: Canvas answers 404, a permanent error, so the run fails fast.
        run = await api.post(
            "/api/v1/runs",
            json={
                "process": "profile-update",
                "input": {"person_id": person, "integration": canvas, "fields": {"phone": "12345"}},
            },
        )
        assert run.status_code == 201, run.text
        done = await wait_closed(api, run.json()["workflow_id"])
        assert done["status"] == "Failed"
        for _ in range(100):
            if sub.received:
                break
            await asyncio.sleep(0.05)
        await api.delete(f"/api/v1/subscriptions/{created.json()['id']}")
    types = [json.loads(body)["type"] for _, body in sub.received]
    assert types == ["run.started"]  # not run.completed: it failed (and run.failed not asked)
    data = json.loads(sub.received[0][1])["data"]
    assert data["workflow_id"] == run.json()["workflow_id"] and data["process"] == "profile-update"
