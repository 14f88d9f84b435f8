"""Finding 7: extreme but well-formed input, sent by a logged-in administrator, once crashed the
API (integers above 2^63 overflowing SQLite, dates that overflow on conversion to UTC, a
900-level nested mapping saved and then failing every listing, an unreadable page token turned
into a 503). Each is now a 422 naming the field, and nothing is stored."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

HUGE = 2**63  # one above SQLite's (and PostgreSQL's bigint) largest integer
HUGER = 10**30


def nested(levels: int) -> dict[str, Any]:
    """``{"a": {"a": ... {"a": "x"}}}``, ``levels`` objects deep."""
    value: Any = "x"
    for _ in range(levels):
        value = {"a": value}
    return value  # type: ignore[no-any-return]


def assert_refused(answer: httpx.Response, field: str) -> None:
    assert answer.status_code == 422, f"{answer.request.url}: {answer.status_code} {answer.text}"
    assert field in answer.json()["error"], answer.text


GETS = [
    ("/api/v1/integrations", {"offset": HUGE}, "offset"),
    ("/api/v1/integrations", {"limit": HUGER}, "limit"),
    (f"/api/v1/quarantine/{HUGE}", {}, "quarantine_id"),
    ("/api/v1/quarantine", {"offset": HUGE}, "offset"),
    (f"/api/v1/conflicts/{HUGE}", {}, "conflict_id"),
    (f"/api/v1/mappings/x/versions/{HUGE}", {}, "version"),
    (f"/api/v1/api-keys/{HUGE}", {}, "key_id"),
    ("/api/v1/api-keys", {"offset": HUGE}, "offset"),
    ("/api/v1/users", {"offset": HUGE}, "offset"),
    ("/api/v1/audit", {"offset": HUGE}, "offset"),
    (f"/api/v1/subscriptions/{HUGE}", {}, "subscription_id"),
    ("/api/v1/subscriptions/dead-letters", {"subscription_id": HUGE}, "subscription_id"),
    ("/api/v1/subscriptions/dead-letters", {"offset": HUGE}, "offset"),
    ("/api/v1/runs", {"started_after": "9999-12-31T23:59:59-23:59"}, "started_after"),
    ("/api/v1/runs", {"started_after": "0001-01-01T00:00:00+23:59"}, "started_after"),
    ("/api/v1/audit", {"since": "0001-01-01T00:00:00+23:59"}, "since"),
    ("/api/v1/audit", {"until": "9999-12-31T23:59:59-23:59"}, "until"),
    ("/api/v1/runs", {"page_token": "AAAA"}, "page_token"),
    ("/api/v1/runs", {"page_token": "not base64!"}, "page_token"),
]


@pytest.mark.parametrize(("path", "params", "field"), GETS, ids=[f"{g[0]}?{g[1]}" for g in GETS])
async def test_extreme_numbers_dates_and_tokens_are_422(
    api: httpx.AsyncClient, path: str, params: dict[str, Any], field: str
) -> None:
    assert_refused(await api.get(path, params=params), field)


async def test_a_deeply_nested_webhook_rule_is_refused_and_the_rules_stay_readable(
    api: httpx.AsyncClient,
) -> None:
    event_type = f"deep.{uuid.uuid4().hex[:8]}"
    rule = {
        "source": "anything",
        "event_type": event_type,
        "process": "integration-health-check",
        "input_mapping": nested(900),
    }
    assert_refused(await api.post("/api/v1/webhooks/rules", json=rule), "input_mapping")
    listed = await api.get("/api/v1/webhooks/rules")
    assert listed.status_code == 200, listed.text
    assert event_type not in listed.text  # nothing stored


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/api/v1/runs", {"process": "integration-health-check", "input": nested(900)},
         "input"),
        ("POST", "/api/v1/mappings/dry-run",
         {"record_type": "users", "spec": nested(40), "records": [{"id": 1}]}, "spec"),
        ("POST", "/api/v1/mappings/dry-run",
         {"record_type": "users", "spec": {}, "records": [nested(40)]}, "records"),
        ("POST", "/api/v1/api-keys",
         {"name": "far", "scopes": ["runs:read"], "expires_at": "9999-12-31T23:59:59-23:59"},
         "expires_at"),
        ("POST", "/api/v1/runs/some-run/signals/review", {"payload": nested(900)}, "payload"),
    ],
    ids=["run-input", "dry-run-spec", "dry-run-records", "api-key-expiry", "signal-payload"],
)  # fmt: skip
async def test_deep_json_and_far_dates_in_bodies_are_422(
    api: httpx.AsyncClient, method: str, path: str, body: dict[str, Any], field: str
) -> None:
    assert_refused(await api.request(method, path, json=body), field)


async def test_a_wide_json_body_is_refused(api: httpx.AsyncClient) -> None:
    wide = {"process": "integration-health-check", "input": {f"k{i}": i for i in range(20_000)}}
    assert_refused(await api.post("/api/v1/runs", json=wide), "input")


async def test_nan_and_huge_numbers_in_free_form_json_are_refused(api: httpx.AsyncClient) -> None:
    # Python's JSON parser reads NaN; once stored, no JSON answer could carry it back (a 500).
    name = f"nan-{uuid.uuid4().hex[:8]}"
    body = {"name": name, "system": "generic", "base_url": "http://127.0.0.1:9"}
    raw = json.dumps(body | {"options": {"timeout": float("nan")}})  # writes NaN, as sent
    answer = await api.post(
        "/api/v1/integrations", content=raw, headers={"Content-Type": "application/json"}
    )
    assert_refused(answer, "options")
    huge = {"name": name, "system": "generic", "base_url": "http://127.0.0.1:9",
            "options": {"port": HUGE}}  # fmt: skip
    assert_refused(await api.post("/api/v1/integrations", json=huge), "options")
    assert (await api.get(f"/api/v1/integrations/{name}")).status_code == 404
