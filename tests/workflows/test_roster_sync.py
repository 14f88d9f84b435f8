"""Roster sync OneRoster -> Canvas on the real Temporal dev server and sandbox emulators:
full, incremental through REST, deletions behind the mass-deletion guard, quarantine."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.worker import Worker

from atrium.credentials import Credentials
from atrium.settings import Settings
from atrium.sync.snapshots import snapshot
from atrium.sync.store import Saved, SyncStore
from connectors.canonical.models import Enrollment
from tests.api.webhook_support import Subscriber, subscribed
from tests.workflows.sync_env import (
    Pair,
    SyncSandbox,
    canvas,
    eventually,
    mutate,
    pair,
    start_sandbox,
    start_sync,
)
from workflows.roster_sync import RosterSync, RosterSyncResult


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncSandbox]:
    yield from start_sandbox(tmp_path_factory.mktemp("sync-sandbox"))


@pytest.fixture(scope="module")
async def synced(
    sandbox: SyncSandbox,
    engine: Engine,
    credentials: Credentials,
    temporal_client: Client,
    settings: Settings,
    worker: Worker,
) -> AsyncIterator[tuple[Pair, RosterSyncResult]]:
    p = await pair(engine, credentials, sandbox)
    handle = await start_sync(temporal_client, settings.temporal.task_queue, p, page_size=400)
    yield p, await handle.result()


async def sync(client: Client, settings: Settings, p: Pair, **options: object) -> RosterSyncResult:
    handle = await start_sync(client, settings.temporal.task_queue, p, **options)
    return await handle.result()  # type: ignore[no-any-return]


def sis_imports(sandbox: SyncSandbox) -> int:
    with sqlite3.connect(sandbox.contexts["canvas"].db_path()) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM sis_imports").fetchone()[0])


async def test_full_sync_writes_every_record_once(
    synced: tuple[Pair, RosterSyncResult], sandbox: SyncSandbox, engine: Engine
) -> None:
    p, result = synced
    assert result.totals["users"].created == 314 and result.totals["enrollments"].created == 1560
    assert result.totals["classes"].created == 60 and result.deletions_pending == 0
    with sqlite3.connect(sandbox.contexts["oneroster"].db_path()) as conn:
        klass, expected = conn.execute(
            "SELECT class_id, COUNT(*) FROM enrollments GROUP BY class_id ORDER BY class_id LIMIT 1"
        ).fetchone()
    section = await canvas(sandbox, f"/sections/sis_section_id:{klass}/enrollments", per_page=100)
    assert len(section) == expected
    assert len({e["user_id"] for e in section}) == expected  # nobody twice
    store = SyncStore(engine)
    assert store.count(p.target, "enrollments") == 1560
    assert store.cursor(p.target, "users") is not None


async def test_incremental_sync_sends_small_deltas_through_rest(
    synced: tuple[Pair, RosterSyncResult],
    sandbox: SyncSandbox,
    temporal_client: Client,
    settings: Settings,
) -> None:
    p, _ = synced
    users = await mutate(
        sandbox, collection="users", count=2, filter="role='student'", set={"givenName": "Zed"}
    )
    gone = await mutate(
        sandbox, collection="enrollments", count=2, filter="role='student'", status="tobedeleted"
    )
    imports = sis_imports(sandbox)
    result = await sync(temporal_client, settings, p, mode="incremental")
    assert result.totals["users"].updated == 2 and result.totals["enrollments"].deactivated == 2
    assert sis_imports(sandbox) == imports  # REST, not a bulk import
    user = await canvas(sandbox, f"/users/sis_user_id:{users[0]}")
    assert user["name"].startswith("Zed ")
    with sqlite3.connect(sandbox.contexts["oneroster"].db_path()) as conn:
        person, klass = conn.execute(
            "SELECT user_id, class_id FROM enrollments WHERE sourcedId = ?", (gone[0],)
        ).fetchone()
    states = await canvas(
        sandbox, f"/sections/sis_section_id:{klass}/enrollments", **{"state[]": "completed"}
    )
    assert person in {
        e["sis_user_id"] or e["user"]["sis_user_id"] for e in states
    }  # concluded, not deleted
    again = await sync(temporal_client, settings, p, mode="incremental")
    assert again.totals["users"].updated == 0 and again.totals["enrollments"].deactivated == 0


async def test_bad_records_are_quarantined_then_retried_with_a_fixed_mapping(
    synced: tuple[Pair, RosterSyncResult],
    sandbox: SyncSandbox,
    temporal_client: Client,
    settings: Settings,
    api: httpx.AsyncClient,
) -> None:
    p, _ = synced
    [bad] = await mutate(
        sandbox, collection="users", count=1, filter="role='teacher'", set={"email": "not-an-email"}
    )
    result = await sync(temporal_client, settings, p, mode="incremental")
    assert result.totals["users"].quarantined == 1
    listed = (await api.get("/api/v1/quarantine", params={"integration": p.target})).json()
    [row] = [r for r in listed if r["source_id"] == bad]
    # spec-valid (email is a string) but unusable by the LMS: quarantined before writing
    assert (
        row["stage"] == "validation" and "email 'not-an-email' is not an address" in row["reason"]
    )
    from atrium.sync.defaults import ONEROSTER

    fields = {**ONEROSTER["users"].fields, "email": "contains(email, '@') && email || null"}
    spec = {"fields": fields, "value_maps": {"enabled": {"true": True, "false": False}}}
    dry = await api.post(
        "/api/v1/mappings/dry-run",
        json={"record_type": "users", "spec": spec, "records": [row["payload"]]},
    )
    assert dry.status_code == 200 and dry.json()[0]["ok"] is True
    bad_spec = await api.post(
        "/api/v1/mappings",
        json={"name": "users-x", "record_type": "users", "spec": {"fields": {"email": "a.[["}}},
    )
    assert bad_spec.status_code == 422 and "spec.fields" in bad_spec.json()["error"]
    made = await api.post(
        "/api/v1/mappings",
        json={"name": f"lenient-{p.target}", "record_type": "users", "spec": spec},
    )
    assert made.status_code == 201, made.text
    retry = await api.post(
        f"/api/v1/quarantine/{row['id']}/retry", json={"mapping": f"lenient-{p.target}"}
    )
    assert retry.status_code == 202
    outcome = await temporal_client.get_workflow_handle(retry.json()["workflow_id"]).result()
    assert outcome["resolved"] is True, outcome
    assert (await api.get(f"/api/v1/quarantine/{row['id']}")).json()["status"] == "resolved"


async def test_each_written_record_is_announced_once_as_record_synced(
    synced: tuple[Pair, RosterSyncResult],
    sandbox: SyncSandbox,
    temporal_client: Client,
    settings: Settings,
    api: httpx.AsyncClient,
) -> None:
    p, _ = synced
    async with subscribed(api, ["record.synced"]) as sub:
        users = await mutate(
            sandbox,
            collection="users",
            count=3,
            filter="role='student'",
            set={"familyName": "Q"},
        )
        [gone] = await mutate(
            sandbox,
            collection="enrollments",
            count=1,
            filter="role='student' AND status='active'",
            status="tobedeleted",
        )
        result = await sync(temporal_client, settings, p, mode="incremental")
        assert result.totals["users"].updated >= 3
        expected = {("users", u, "updated") for u in users} | {("enrollments", gone, "deactivated")}

        async def announced() -> list[dict[str, Any]]:
            got = synced_events(sub, p.target)
            return got if expected <= {key(e) for e in got} else []

        events = await eventually(announced)
        again = await sync(temporal_client, settings, p, mode="incremental")
        assert again.totals["users"].updated == 0
        await asyncio.sleep(1.0)  # a late, second delivery would arrive by now
    ours = synced_events(sub, p.target)
    assert len({e["id"] for e in ours}) == len(ours) >= len(events)  # nothing delivered twice
    for kind, source_id, action in expected:
        [event] = [e for e in ours if key(e)[:2] == (kind, source_id)]
        assert event["type"] == "record.synced" and key(event)[2] == action
        assert event["data"]["process"] == "roster-sync" and event["data"]["source"] == p.source


def synced_events(sub: Subscriber, target: str) -> list[dict[str, Any]]:
    return [e for e in sub.events() if e["data"].get("integration") == target]


def key(event: dict[str, Any]) -> tuple[str, str, str]:
    data = event["data"]
    return data["record_type"], data["source_id"], data["action"]


async def test_mass_deletion_waits_for_approval_and_gone_records_are_concluded(
    synced: tuple[Pair, RosterSyncResult],
    sandbox: SyncSandbox,
    engine: Engine,
    temporal_client: Client,
    settings: Settings,
    api: httpx.AsyncClient,
) -> None:
    p, _ = synced
    ghost = Enrollment(
        source_id="enr-ghost",
        person_id="stu-0000001",
        class_id="cls-000001",
        school_id="sch-0001",
        role="student",
        date_last_modified="2026-07-01T00:00:00Z",
    )  # type: ignore[arg-type]
    SyncStore(engine).save(
        p.target, "enrollments", "earlier", [Saved("enr-ghost", "v", snapshot=snapshot(ghost))]
    )
    await mutate(
        sandbox,
        collection="enrollments",
        count=600,
        filter="role='student' AND status='active'",
        status="tobedeleted",
    )
    handle = await start_sync(
        temporal_client, settings.temporal.task_queue, p, mode="full", max_delete_share=0.2
    )
    for _ in range(200):
        status = await handle.query(RosterSync.status)
        if status.awaiting_approval:
            break
        await asyncio.sleep(0.1)
    assert status.awaiting_approval and status.deletions_pending >= 601
    signal = await api.post(
        f"/api/v1/runs/{handle.id}/signals/approve-deletions", json={"payload": {"approve": True}}
    )
    assert signal.status_code == 202, signal.text
    result = await handle.result()
    assert isinstance(result, RosterSyncResult)
    assert result.deletions_approved is True and result.totals["enrollments"].deactivated >= 601
    assert (
        SyncStore(engine).known(p.target, "enrollments", ["enr-ghost"])["enr-ghost"].status
        == "deactivated"
    )
