"""The privacy routes are an administrator's: other roles are refused, and so is a caller
without credentials; an unknown export or erasure is a 404 naming it."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.engine import Engine

from tests.support.auth import login, make_user

ROUTES = [
    ("POST", "/api/v1/privacy/exports"),
    ("GET", "/api/v1/privacy/exports/1/download"),
    ("POST", "/api/v1/privacy/erasures"),
    ("POST", "/api/v1/privacy/legal-holds"),
    ("PUT", "/api/v1/privacy/retention"),
]


@pytest.mark.parametrize("role", ["process_designer", "secretary", "leader", "auditor", "student"])
def test_only_administrators_reach_the_privacy_routes(
    api_url: str, engine: Engine, role: str
) -> None:
    token = login(api_url, make_user(engine, role))
    with httpx.Client(base_url=api_url, headers={"Authorization": f"Bearer {token}"}) as http:
        for method, path in ROUTES:
            assert http.request(method, path, json={}).status_code == 403, (role, path)
    with httpx.Client(base_url=api_url) as anonymous:
        assert anonymous.get("/api/v1/privacy/exports/1").status_code == 401


async def test_unknown_requests_are_named(api: httpx.AsyncClient) -> None:
    missing = await api.get("/api/v1/privacy/exports/999999")
    assert missing.status_code == 404 and "export 999999" in missing.json()["error"]
    missing = await api.post("/api/v1/privacy/erasures/999999/cancel")
    assert missing.status_code == 404 and "erasure 999999" in missing.json()["error"]
    bad = await api.put("/api/v1/privacy/retention", json={"dataset": "audit", "days": 0})
    assert bad.status_code == 422 and "days" in bad.json()["error"]
    bad = await api.put(
        "/api/v1/privacy/rules", json={"system": "canvas", "record_type": "x", "treatment": "keep"}
    )
    assert bad.status_code == 422 and "record_type" in bad.json()["error"]
    rules = (await api.get("/api/v1/privacy/rules")).json()
    assert {"system": "finance", "record_type": "accounts", "treatment": "anonymise"} in rules
