"""Outbound event delivery: retries with backoff, signatures, exactly-once per event, dead
letters and redelivery, on the real Temporal server with a local subscriber over HTTP."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.worker import Worker

from activities.events import EventActivities
from atrium.credentials import Credentials
from atrium.egress import EgressPolicy
from atrium.events.delivery import DeliveryRetry, publish, start_delivery
from atrium.events.envelope import envelope
from atrium.events.subscribers import SubscriberDirectory
from atrium.settings import EventsSettings, Settings
from atrium.signatures import parse, verify
from tests.api.webhook_support import Subscriber, subscriber_server
from workflows.event_delivery import EventDelivery
from workflows.event_delivery import EventDeliveryResult as Result

FAST = DeliveryRetry(
    initial_interval_seconds=0.05, backoff=1.5, max_interval_seconds=0.2, max_attempts=4
)


async def subscribe(api: httpx.AsyncClient, url: str) -> tuple[int, str]:
    answer = await api.post(
        "/api/v1/subscriptions", json={"url": url, "event_types": ["record.synced"]}
    )
    assert answer.status_code == 201, answer.text
    assert "secret" not in (await api.get(f"/api/v1/subscriptions/{answer.json()['id']}")).json()
    return answer.json()["id"], answer.json()["secret"]


async def test_failing_subscriber_gets_the_event_once_signed(
    api: httpx.AsyncClient, temporal_client: Client, settings: Settings, engine: Engine
) -> None:
    with subscriber_server(Subscriber(failures=2)) as sub:
        sid, secret = await subscribe(api, sub.url)
        directory = SubscriberDirectory(engine, ttl=0)
        event_id = f"evt-{uuid.uuid4().hex}"
        kwargs: dict[str, Any] = {
            "subscribers": directory,
            "task_queue": settings.temporal.task_queue,
            "event_id": event_id,
            "retry": FAST,
        }
        started = await publish(temporal_client, "record.synced", {"person": "U1"}, **kwargs)
        ours = f"event-delivery-{sid}-{event_id}"
        assert ours in started  # (other tests' subscriptions may want record.synced too)
        result = await temporal_client.get_workflow_handle(ours, result_type=Result).result()
        assert result.delivered and result.attempts == 3
        # Publishing the same event again delivers nothing new: the id is spent.
        assert await publish(temporal_client, "record.synced", {"person": "U1"}, **kwargs) == []
        # Event types a subscription did not ask for are not sent to it.
        other = await publish(temporal_client, "run.failed", {}, **{**kwargs, "event_id": "x1"})
        assert not [wid for wid in other if wid.startswith(f"event-delivery-{sid}-")]
        await api.delete(f"/api/v1/subscriptions/{sid}")
    assert sub.answered == [500, 500, 200]
    [(headers, body)] = sub.received
    signed = parse(headers, "atrium")
    verify(signed, secret, body, signed.timestamp, 300)  # raises if the signature is wrong
    envelope = json.loads(body)
    assert envelope["id"] == event_id == headers["Idempotency-Key"]
    assert envelope["type"] == "record.synced" and envelope["data"] == {"person": "U1"}


async def test_dead_letter_after_last_try_then_redeliver(
    api: httpx.AsyncClient, temporal_client: Client, settings: Settings, engine: Engine
) -> None:
    with subscriber_server(Subscriber(failures=4, fail_with=503)) as sub:
        sid, _ = await subscribe(api, sub.url)
        event_id = f"evt-{uuid.uuid4().hex}"
        started = await publish(
            temporal_client,
            "record.synced",
            {"person": "U2"},
            subscribers=SubscriberDirectory(engine, ttl=0),
            task_queue=settings.temporal.task_queue,
            event_id=event_id,
            retry=FAST,
        )
        workflow_id = f"event-delivery-{sid}-{event_id}"
        assert workflow_id in started
        result = await temporal_client.get_workflow_handle(workflow_id, result_type=Result).result()
        assert not result.delivered and result.attempts == 4 and "HTTP 503" in result.error
        letters = (
            await api.get("/api/v1/subscriptions/dead-letters", params={"subscription_id": sid})
        ).json()
        [letter] = letters
        assert letter["event_id"] == event_id and letter["status"] == "dead"
        assert letter["attempts"] == 4 and "503" in letter["last_error"]
        # The subscriber is healthy again (its 4 failures are spent): redeliver from the API.
        answer = await api.post(f"/api/v1/subscriptions/dead-letters/{letter['id']}/redeliver")
        assert answer.status_code == 202, answer.text
        again = await api.post(f"/api/v1/subscriptions/dead-letters/{letter['id']}/redeliver")
        assert again.status_code == 409  # already redelivering
        await temporal_client.get_workflow_handle(answer.json()["workflow_id"]).result()
        for _ in range(50):
            rows = (
                await api.get(
                    "/api/v1/subscriptions/dead-letters", params={"status": "redelivered"}
                )
            ).json()
            if any(r["id"] == letter["id"] for r in rows):
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("dead letter not marked redelivered")
        await api.delete(f"/api/v1/subscriptions/{sid}")
    assert [json.loads(body)["id"] for _, body in sub.received] == [event_id]
    missing = await api.post("/api/v1/subscriptions/dead-letters/999999/redeliver")
    assert missing.status_code == 404


async def test_a_url_refused_at_delivery_is_dead_lettered_with_the_reason(
    api: httpx.AsyncClient, temporal_client: Client, engine: Engine, credentials: Credentials
) -> None:
    """Registered while allowed; by delivery time it is not (settings tightened, or DNS now
    points inside): refused for good, no retry, and the dead letter says why."""
    queue = f"strict-{uuid.uuid4().hex[:8]}"  # a worker of this test's own: loopback refused
    loopback_refused = EventsSettings(subscriber_require_https=False)
    strict = EventActivities(
        engine, credentials, egress=EgressPolicy.from_settings(loopback_refused)
    )
    with subscriber_server(Subscriber()) as sub:
        sid, _ = await subscribe(api, sub.url)
        async with Worker(
            temporal_client,
            task_queue=queue,
            workflows=[EventDelivery],
            activities=[strict.deliver, strict.record_dead_letter],
        ):
            event = envelope("record.synced", {"person": "U4"})
            workflow_id = await start_delivery(temporal_client, queue, sid, event, FAST)
            assert workflow_id is not None
            handle = temporal_client.get_workflow_handle(workflow_id, result_type=Result)
            result = await handle.result()
        letters = (
            await api.get("/api/v1/subscriptions/dead-letters", params={"subscription_id": sid})
        ).json()
        await api.delete(f"/api/v1/subscriptions/{sid}")
    assert not result.delivered and result.attempts == 1  # not retried
    assert result.dead_letter_id is not None and sub.received == []
    # (SQLite hands a deleted subscription's id out again: earlier tests' letters may share it)
    [letter] = [row for row in letters if row["event_id"] == event.id]
    assert letter["id"] == result.dead_letter_id and letter["status"] == "dead"
    assert "refused by the egress guard" in letter["last_error"]
    assert "127.0.0.1 is a loopback address" in letter["last_error"]
