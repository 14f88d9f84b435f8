"""Lineage after a real roster sync from a private sandbox SIS into its Canvas and Moodle: one
student is traced through every system they were written to, with when, the run and the mapping
version; a class likewise; bad queries are 4xx naming the field; a student traces only themself."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio.client import Client
from temporalio.worker import Worker

from atrium.credentials import Credentials
from atrium.db import session_scope
from atrium.models import SyncRecord
from atrium.models.integration import utcnow
from tests.api.flow_support import Synced, make_synced, remove_synced, sync_through_api
from tests.conftest import ClientFor
from tests.workflows.sync_env import SyncSandbox, start_sandbox


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncSandbox]:
    yield from start_sandbox(tmp_path_factory.mktemp("lineage-sandbox"))


@pytest.fixture(scope="module")
async def synced(
    sandbox: SyncSandbox,
    engine: Engine,
    credentials: Credentials,
    api_url: str,
    admin_token: str,
    worker: Worker,
    temporal_client: Client,
) -> AsyncIterator[Synced]:
    headers = {"Authorization": f"Bearer {admin_token}"}
    async with httpx.AsyncClient(base_url=api_url, timeout=60, headers=headers) as api:
        synced = await make_synced(api, engine, credentials, sandbox, ("canvas", "moodle"))
        try:
            for target in synced.targets:
                run = await sync_through_api(api, temporal_client, synced, target)
                assert run["status"] == "COMPLETED", run
            yield synced
        finally:
            await remove_synced(engine, credentials, synced)


def own_systems(systems: list[str], synced: Synced) -> list[str]:
    return [s for s in systems if s in synced.targets]


def _enrolled_student(engine: Engine, synced: Synced) -> tuple[str, str]:
    """A person and a class of one of their enrollments, as the Canvas sync wrote them."""
    canvas = next(n for n, s in synced.targets.items() if s == "canvas")
    with session_scope(engine) as session:
        row = session.exec(
            select(SyncRecord)
            .where(SyncRecord.integration == canvas, SyncRecord.record_type == "enrollments")
            .order_by(SyncRecord.source_id)
        ).first()
    assert row is not None and row.snapshot
    person, klass, _, _ = row.snapshot.split("|")
    return person, klass


async def test_a_student_is_traced_through_every_system_with_run_and_mapping_version(
    api: httpx.AsyncClient, engine: Engine, synced: Synced
) -> None:
    person, _ = _enrolled_student(engine, synced)
    answer = await api.get("/api/v1/lineage", params={"person": person})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["kind"] == "person" and body["source_id"] == person
    # Canvas and Moodle; other tests' connections in the session's store may have written the
    # same seeded person too, so only this test's own connections are looked at.
    assert own_systems(body["systems"], synced) == sorted(synced.targets)
    entries = [e for e in body["entries"] if e["system"] in synced.targets]
    users = {e["system"]: e for e in entries if e["record_type"] == "users"}
    assert set(users) == set(synced.targets)
    for system, entry in users.items():
        workflow_id, run_id = synced.runs[system]
        assert entry["source_id"] == person and entry["status"] == "active"
        assert entry["system_type"] == synced.targets[system]
        assert (entry["workflow_id"], entry["run_id"]) == (workflow_id, run_id)
        assert entry["mapping"] == f"{synced.mapping}@2"  # the newest version, used by the run
        written = utcnow() - _aware(entry["written_at"])
        assert timedelta(0) <= written < timedelta(minutes=10)
    enrollments = [e for e in entries if e["record_type"] == "enrollments"]
    assert enrollments and {e["system"] for e in enrollments} == set(synced.targets)
    # No stored mapping was named for enrollments: the built-in one did it.
    assert {e["mapping"] for e in enrollments} == {"builtin:enrollments"}
    times = [e["written_at"] for e in body["entries"]]
    assert times == sorted(times, reverse=True)  # newest first


async def test_a_class_is_traced_with_its_enrollments(
    api: httpx.AsyncClient, engine: Engine, synced: Synced
) -> None:
    person, klass = _enrolled_student(engine, synced)
    body = (await api.get("/api/v1/lineage", params={"class": klass})).json()
    assert body["kind"] == "class"
    assert own_systems(body["systems"], synced) == sorted(synced.targets)
    entries = [e for e in body["entries"] if e["system"] in synced.targets]
    classes = [e for e in entries if e["record_type"] == "classes"]
    assert {e["system"] for e in classes} == set(synced.targets)
    assert {e["mapping"] for e in classes} == {"builtin:classes"}
    enrollments = [e for e in entries if e["record_type"] == "enrollments"]
    assert len(enrollments) >= 2  # the student's and the classmates' and teacher's
    with session_scope(engine) as session:
        ours = session.exec(
            select(SyncRecord).where(
                SyncRecord.record_type == "enrollments",
                SyncRecord.integration.in_(list(synced.targets)),  # type: ignore[attr-defined]
            )
        ).all()
    expected = {
        (r.integration, r.source_id) for r in ours if (r.snapshot or "").split("|")[1] == klass
    }
    assert {(e["system"], e["source_id"]) for e in enrollments} == expected


async def test_nobody_unknown_is_an_empty_trace_and_bad_queries_name_the_field(
    api: httpx.AsyncClient,
) -> None:
    empty = (await api.get("/api/v1/lineage", params={"person": "nobody-at-all"})).json()
    assert empty["entries"] == [] and empty["systems"] == []
    for params in ({}, {"person": "a", "class": "b"}):
        answer = await api.get("/api/v1/lineage", params=params)
        assert answer.status_code == 422 and "person" in answer.json()["error"], answer.text
    for params in ({"person": "x%' OR 1=1"}, {"class": "a" * 300}):
        answer = await api.get("/api/v1/lineage", params=params)
        assert answer.status_code == 422, answer.text
        assert next(iter(params)) in answer.json()["error"]


async def test_a_student_traces_only_themself(
    client_for: ClientFor, engine: Engine, synced: Synced
) -> None:
    person, klass = _enrolled_student(engine, synced)
    student = await client_for("student", person_id=person)
    own = await student.get("/api/v1/lineage", params={"person": person})
    assert own.status_code == 200
    assert own_systems(own.json()["systems"], synced) == sorted(synced.targets)
    other = await student.get("/api/v1/lineage", params={"person": f"{person}-other"})
    assert other.status_code == 403, other.text
    assert (await student.get("/api/v1/lineage", params={"class": klass})).status_code == 403
    professor = await client_for("professor", class_ids=[klass])
    taught = await professor.get("/api/v1/lineage", params={"class": klass})
    assert taught.status_code == 200 and taught.json()["entries"]


def _aware(text: str):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
