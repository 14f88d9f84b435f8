"""The alerts API: rules with bounded inputs (each 4xx names its field), the evaluator workflow a
rule set gets, who may read and manage, and people acknowledging and resolving a real outage."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from temporalio.client import Client, WorkflowExecutionStatus

from tests.api.webhook_support import subscribed
from tests.conftest import ClientFor
from tests.sandbox.control import injected_faults
from tests.workflows.alert_support import (
    Watched,
    chat_listener,  # noqa: F401 - fixture
    drop_rules,
    watched_systems,  # noqa: F401 - fixture
)
from tests.workflows.sync_env import eventually
from workflows.alerts import evaluator_id

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def _rule(rule_set: str, **fields: Any) -> dict[str, Any]:
    return {
        "name": f"rule-{uuid.uuid4().hex[:8]}",
        "rule_set": rule_set,
        "kind": "threshold",
        "figure": "quarantine_size",
        "threshold": 1_000_000,
        **fields,
    }


async def _status(client: Client, rule_set: str) -> WorkflowExecutionStatus | None:
    return (await client.get_workflow_handle(evaluator_id(rule_set)).describe()).status


async def test_rules_crud_starts_and_ends_the_rule_sets_evaluator(
    api: httpx.AsyncClient, temporal_client: Client, engine: Engine
) -> None:
    rule_set, made = f"api-{uuid.uuid4().hex[:6]}", []
    try:
        created = await api.post("/api/v1/alert-rules", json=_rule(rule_set))
        assert created.status_code == 201, created.text
        rule = created.json()
        made.append(rule["id"])
        assert rule["kind"] == "threshold" and rule["enabled"] is True
        assert await _status(temporal_client, rule_set) == WorkflowExecutionStatus.RUNNING
        again = await api.post(
            "/api/v1/alert-rules", json={**_rule(rule_set), "name": rule["name"]}
        )
        assert again.status_code == 409 and "name" in again.json()["error"]
        listed = (await api.get("/api/v1/alert-rules", params={"rule_set": rule_set})).json()
        assert [r["id"] for r in listed] == [rule["id"]]
        changed = await api.patch(f"/api/v1/alert-rules/{rule['id']}", json={"threshold": 5})
        assert changed.status_code == 200 and changed.json()["threshold"] == 5
        # A change that leaves the rule incomplete is refused whole, naming the field.
        broken = await api.patch(
            f"/api/v1/alert-rules/{rule['id']}", json={"kind": "absence", "target": "*"}
        )
        assert broken.status_code == 422 and "target" in broken.json()["error"]
        gone = await api.delete(f"/api/v1/alert-rules/{rule['id']}")
        assert gone.status_code == 204
        assert (await api.get(f"/api/v1/alert-rules/{rule['id']}")).status_code == 404

        async def ended() -> bool:
            return await _status(temporal_client, rule_set) == WorkflowExecutionStatus.COMPLETED

        await eventually(ended, 20)
    finally:
        drop_rules(engine, rule_set, *made)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "Not A Name"}, "name"),
        ({"name": "x" * 64}, "name"),
        ({"kind": "weather"}, "kind"),
        ({"figure": None}, "figure"),
        ({"figure": "moon_phase"}, "figure"),
        ({"threshold": -1}, "threshold"),
        ({"threshold": 10**9}, "threshold"),
        ({"window_minutes": 0}, "window_minutes"),
        ({"email_to": ["not-an-address"], "comms_integration": "c"}, "email_to"),
        (
            {"email_to": [f"a{i}@example.edu" for i in range(21)], "comms_integration": "c"},
            "email_to",
        ),
        ({"chat": "slack"}, "comms_integration"),
        ({"chat": "slack", "comms_integration": "no-such-comms"}, "comms_integration"),
        ({"kind": "absence", "target": "*"}, "target"),
        ({"target": "a'; drop"}, "target"),
        ({"description": "x" * 501}, "description"),
    ],
)
async def test_bad_rules_get_a_4xx_naming_the_field(
    api: httpx.AsyncClient, fields: dict[str, Any], field: str
) -> None:
    response = await api.post("/api/v1/alert-rules", json=_rule("never-started", **fields))
    assert response.status_code == 422, response.text
    assert field in str(response.json()["error"])


async def test_alert_lists_are_bounded_and_checked(api: httpx.AsyncClient) -> None:
    assert (await api.get("/api/v1/alerts", params={"status": "sleeping"})).status_code == 422
    assert (await api.get("/api/v1/alerts", params={"limit": 501})).status_code == 422
    assert (await api.get("/api/v1/alerts/999999999")).status_code == 404
    assert (await api.post("/api/v1/alerts/999999999/acknowledge")).status_code == 404


async def test_who_may_read_and_manage_alerts(client_for: ClientFor) -> None:
    leader, student = await client_for("leader"), await client_for("student")
    assert (await leader.get("/api/v1/alerts")).status_code == 200
    assert (await leader.post("/api/v1/alert-rules", json=_rule("x"))).status_code == 403
    assert (await student.get("/api/v1/alerts")).status_code == 403


async def test_people_acknowledge_and_resolve_an_outage_and_the_next_one_alerts_again(
    api: httpx.AsyncClient, engine: Engine, watched: Watched
) -> None:
    rule_set = f"api-{uuid.uuid4().hex[:6]}"
    body = _rule(rule_set, kind="health_down", target=watched.library, figure=None)
    body |= {"comms_integration": watched.comms, "chat": "slack", "publish_event": True}
    rule = (await api.post("/api/v1/alert-rules", json=body)).json()

    async def alerts(status: str | None = None) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"rule_id": rule["id"]} | ({"status": status} if status else {})
        return list((await api.get("/api/v1/alerts", params=params)).json())

    try:
        async with (
            subscribed(api, ["alert.firing", "alert.resolved"]) as subscriber,
            injected_faults(watched.sandbox_url, "koha", error_rate=1.0),
        ):
            [alert] = await eventually(lambda: alerts("firing"), 20)
            acked = await api.post(
                f"/api/v1/alerts/{alert['id']}/acknowledge", json={"note": "on it"}
            )
            assert acked.status_code == 200
            assert acked.json()["status"] == "acknowledged" and acked.json()["note"] == "on it"
            assert acked.json()["acknowledged_by"]
            twice = await api.post(f"/api/v1/alerts/{alert['id']}/acknowledge")
            assert twice.status_code == 409
            closed = await api.post(f"/api/v1/alerts/{alert['id']}/resolve")
            assert closed.status_code == 200 and closed.json()["resolved_by"] != "condition"
            await asyncio.sleep(7)  # the outage goes on: a person closed it, nothing new
            assert [a["id"] for a in await alerts()] == [alert["id"]]
            detail = (await api.get(f"/api/v1/alerts/{alert['id']}")).json()
            assert {(d["channel"], d["transition"]) for d in detail["deliveries"]} == {
                (channel, transition)
                for channel in ("slack", "event")
                for transition in ("firing", "resolved")
            }  # a person's resolve is news too

            async def events() -> list[dict[str, Any]]:
                ours = [e for e in subscriber.events() if e["data"]["alert_id"] == alert["id"]]
                return ours if len(ours) >= 2 else []

            heard = await eventually(events, 20)
            assert sorted(e["type"] for e in heard) == ["alert.firing", "alert.resolved"]
            assert heard[0]["data"]["group_key"] == f"health:{watched.library}"
        await asyncio.sleep(7)  # the system is back: the condition ends once
        async with injected_faults(watched.sandbox_url, "koha", error_rate=1.0):
            fresh = await eventually(lambda: alerts("firing"), 20)
            assert [a["id"] for a in fresh] != [alert["id"]]  # a new outage, a new alert
    finally:
        await api.delete(f"/api/v1/alert-rules/{rule['id']}")
        drop_rules(engine, rule_set, rule["id"])
