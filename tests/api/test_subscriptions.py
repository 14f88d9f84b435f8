"""Subscriptions through the API: validation (the SSRF guard included), the secret shown once and
kept in Vault, its rotation, and run.started delivered when a run is started through the API."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest
from sqlalchemy.engine import Engine
from temporalio.client import Client

from atrium.credentials import Credentials, SecretNotFound
from atrium.db import session_scope
from atrium.events.delivery import publish
from atrium.events.subscribers import SubscriberDirectory
from atrium.models import Subscription
from atrium.settings import Settings
from atrium.signatures import SignatureError, parse, verify
from tests.api.test_runs import wait_closed
from tests.api.webhook_support import Subscriber, add_canvas, subscriber_server
from tests.workflows.test_event_delivery import FAST, subscribe
from workflows.event_delivery import EventDeliveryResult


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


def _secret_name(engine: Engine, subscription_id: int) -> str:
    with session_scope(engine) as session:
        return session.get(Subscription, subscription_id).secret_name  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://10.0.0.5/hook", "10.0.0.5 is a private address"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("https://[::1]:9/hook", "::1 is a loopback address"),
        ("https://[::ffff:127.0.0.2]:9/hook", "loopback"),  # IPv4-mapped IPv6
        ("https://[::ffff:a9fe:a9fe]/hook", "link-local"),  # ::ffff:169.254.169.254
        ("https://127.0.0.2:9/hook", "loopback"),  # the tests allow 127.0.0.1 only
        ("https://0.0.0.0/hook", "unspecified"),
        ("http://user:pw@127.0.0.1:9/hook", "user name or password"),
        ("http://93.184.216.34/hook", "must be https"),
    ],
)
async def test_inside_or_unsafe_urls_are_refused_naming_url(
    api: httpx.AsyncClient, url: str, why: str
) -> None:
    created = await api.post("/api/v1/subscriptions", json={"url": url, "event_types": ["*"]})
    assert created.status_code == 422, created.text
    [field] = created.json()["fields"]
    assert field["field"] == "url" and why in field["message"]
    assert created.json()["error"] == f"invalid request: url: {field['message']}"


async def test_changing_the_url_is_checked_too(api: httpx.AsyncClient) -> None:
    created = await api.post(
        "/api/v1/subscriptions", json={"url": "http://127.0.0.1:9/x", "event_types": ["*"]}
    )
    assert created.status_code == 201  # 127.0.0.1 is allowed by the test settings
    sid = created.json()["id"]
    moved = await api.patch(
        f"/api/v1/subscriptions/{sid}", json={"url": "https://169.254.169.254/latest"}
    )
    assert moved.status_code == 422 and moved.json()["fields"][0]["field"] == "url"
    assert (await api.get(f"/api/v1/subscriptions/{sid}")).json()["url"] == "http://127.0.0.1:9/x"
    paused = await api.patch(f"/api/v1/subscriptions/{sid}", json={"active": False})
    assert paused.status_code == 200  # no URL in the change: nothing to check
    await api.delete(f"/api/v1/subscriptions/{sid}")


async def test_rotated_secret_signs_the_next_deliveries(
    api: httpx.AsyncClient,
    temporal_client: Client,
    settings: Settings,
    engine: Engine,
    credentials: Credentials,
) -> None:
    async def deliver(sid: int) -> None:
        event_id = f"evt-{uuid.uuid4().hex}"
        await publish(
            temporal_client,
            "record.synced",
            {"person": "U3"},
            subscribers=SubscriberDirectory(engine, ttl=0),
            task_queue=settings.temporal.task_queue,
            event_id=event_id,
            retry=FAST,
        )
        handle = temporal_client.get_workflow_handle(
            f"event-delivery-{sid}-{event_id}", result_type=EventDeliveryResult
        )
        assert (await handle.result()).delivered

    with subscriber_server(Subscriber()) as sub:
        sid, old = await subscribe(api, sub.url)
        old_name = _secret_name(engine, sid)
        await deliver(sid)  # the worker now has the old secret cached
        rotated = await api.post(f"/api/v1/subscriptions/{sid}/rotate-secret")
        assert rotated.status_code == 200, rotated.text
        new = rotated.json()["secret"]
        assert new != old and rotated.json()["id"] == sid
        assert "secret" not in (await api.get(f"/api/v1/subscriptions/{sid}")).json()
        assert (await credentials.read(_secret_name(engine, sid)))["secret"] == new
        with pytest.raises(SecretNotFound):
            await credentials.read(old_name)  # the old secret is gone from Vault
        await deliver(sid)
        await api.delete(f"/api/v1/subscriptions/{sid}")
    (before_headers, before), (after_headers, after) = sub.received
    signed_before, signed_after = parse(before_headers, "atrium"), parse(after_headers, "atrium")
    verify(signed_before, old, before, signed_before.timestamp, 300)
    verify(signed_after, new, after, signed_after.timestamp, 300)  # raises if not signed with it
    with pytest.raises(SignatureError):
        verify(signed_after, old, after, signed_after.timestamp, 300)
    missing = await api.post("/api/v1/subscriptions/999999/rotate-secret")
    assert missing.status_code == 404


async def test_rotate_secret_is_documented_like_its_neighbours(api: httpx.AsyncClient) -> None:
    paths = (await api.get("/openapi.json")).json()["paths"]
    rotate = paths["/api/v1/subscriptions/{subscription_id}/rotate-secret"]["post"]
    redeliver = paths["/api/v1/subscriptions/dead-letters/{dead_letter_id}/redeliver"]["post"]
    errors = {code for code in rotate["responses"] if code >= "400"}
    assert errors == {code for code in redeliver["responses"] if code >= "400"}
    assert {"401", "403", "404", "409", "422", "429", "503"} <= errors
    schema = rotate["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/SubscriptionCreated")
