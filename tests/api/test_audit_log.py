"""The audit log records mutating calls and secret access, and its hash chain exposes edits."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from api.main import create_app
from atrium import audit
from atrium.db import make_engine
from atrium.migrations import upgrade
from atrium.models.audit import AuditEventBase
from atrium.settings import DatabaseSettings, Settings
from tests.atrium.test_migrations import empty_database  # noqa: F401  (sqlite + postgresql)
from tests.support.auth import bearer, login, make_user
from tests.support.servers import serve


async def _entries(api: httpx.AsyncClient, **filters: Any) -> list[dict[str, Any]]:
    answer = await api.get("/api/v1/audit", params=filters)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


async def test_mutations_denials_and_secret_access_are_recorded(
    api: httpx.AsyncClient, client_for: Any
) -> None:
    name = f"au-{uuid.uuid4().hex[:8]}"
    await api.post(
        "/api/v1/integrations",
        json={"name": name, "system": "generic", "base_url": "http://127.0.0.1:9"},
    )
    await api.put(f"/api/v1/integrations/{name}/secret", json={"values": {"token": "t0p"}})
    await api.get(f"/api/v1/integrations/{name}/secret")
    student = await client_for("student", person_id="p-au")
    denied = await student.delete(f"/api/v1/integrations/{name}")
    assert denied.status_code == 403
    me = (await student.get("/api/v1/auth/me")).json()["subject"]

    paths = {e["path"]: e for e in await _entries(api, limit=50)}
    created = paths[f"/api/v1/integrations/{name}"]  # newest first: the student's DELETE
    assert created["actor"] == me and created["outcome"] == "denied" and created["status"] == 403
    assert created["action"] == "DELETE /api/v1/integrations/{name}"
    assert created["client_ip"] == "127.0.0.1" and len(created["correlation_id"]) > 0
    secret = [
        e
        for e in await _entries(api, action="GET /api/v1/integrations/{name}/secret")
        if name in e["path"]
    ]
    assert secret and secret[0]["outcome"] == "success"
    puts = await _entries(api, action="PUT /api/v1/integrations/{name}/secret")
    assert any(name in e["path"] for e in puts)
    assert "t0p" not in (await api.get("/api/v1/audit", params={"limit": 500})).text
    mine = await _entries(api, actor=me)
    assert mine and all(e["actor"] == me for e in mine)
    assert await _entries(api, outcome="denied")
    bad = await api.get("/api/v1/audit", params={"outcome": "maybe"})
    assert bad.status_code == 422 and "outcome" in bad.json()["error"]
    verified = await api.get("/api/v1/audit/verify")
    assert verified.json()["ok"] is True and verified.json()["checked"] > 3


@pytest.fixture
def own_api(settings: Settings, tmp_path: Path) -> Iterator[tuple[str, Engine, str]]:
    """An API on a database of its own, so tampering with it harms no other test."""
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    upgrade(url)
    engine = make_engine(url)
    mine = settings.model_copy(update={"database": DatabaseSettings(url=url)})
    with serve(create_app(mine)) as base:
        yield base, engine, login(base, make_user(engine, "administrator"))
    engine.dispose()


def test_editing_a_row_in_the_database_is_detected_and_named(
    own_api: tuple[str, Engine, str],
) -> None:
    base, engine, token = own_api
    with httpx.Client(base_url=base, headers=bearer(token), timeout=15) as client:
        for i in range(4):
            client.post(
                "/api/v1/integrations",
                json={"name": f"t-{i}", "system": "generic", "base_url": "http://127.0.0.1:9"},
            )
        assert client.get("/api/v1/audit/verify").json() == {
            "ok": True,
            "checked": 5,
            "first_broken_id": None,
            "reason": None,
        }  # fmt: skip  (the login and four creations)
        with engine.begin() as conn:  # an insider "fixes" the record of the third call
            conn.execute(
                text("UPDATE audit_event SET status = 418, actor = 'someone-else' WHERE id = 3")
            )
        broken = client.get("/api/v1/audit/verify").json()
        assert broken["ok"] is False and broken["first_broken_id"] == 3
        assert "edited" in broken["reason"]
        with engine.begin() as conn:  # deleting a row breaks the link of the next one
            conn.execute(text("DELETE FROM audit_event WHERE id = 3"))
        deleted = client.get("/api/v1/audit/verify").json()
        assert deleted["ok"] is False and deleted["first_broken_id"] == 4


def test_concurrent_appends_keep_one_unbroken_chain(
    empty_database: str,  # noqa: F811  (the fixture, imported above)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Without the in-process lock, only the database's lock stands between the threads: as it
    # would between API replicas.
    monkeypatch.setattr(audit, "_APPEND_LOCK", nullcontext())
    upgrade(empty_database)
    engine = make_engine(empty_database)
    events = [
        AuditEventBase(actor=f"u{i}", actor_kind="user", action="POST /x", path="/x",
                       client_ip="127.0.0.1", status=201, outcome="success")
        for i in range(60)
    ]  # fmt: skip
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda e: audit.append(engine, e), events))
    other = make_engine(empty_database)  # another replica's connection pool
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: audit.append(other if i % 2 else engine, events[i]), range(20)))
    other.dispose()
    result = audit.verify(engine)
    engine.dispose()
    assert result.ok and result.checked == 80, result
