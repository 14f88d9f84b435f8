"""GDPR across systems on the real engine and a private sandbox institution: an access export holds
each system's data for the person and nothing of anyone else; an erasure removes or anonymises per
the school's rules, keeps the excepted records, proves each system in the audit log, and the next
roster sync does not re-create the person; a cancelled or held erasure changes nothing."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from temporalio.client import Client
from temporalio.worker import Worker

from atrium import audit
from atrium.credentials import Credentials
from atrium.db import session_scope
from atrium.models import AuditEvent, QuarantinedRecord, SentNotification, SyncRecord
from atrium.models.privacy import PrivacyExport, PrivacyTombstone
from atrium.privacy.erasure_plan import ERASED_NAME
from atrium.privacy.subjects import subject_of
from atrium.settings import Settings
from connectors.canvas import CanvasClient
from connectors.errors import NotFound
from connectors.finance.client import BursarClient
from connectors.koha import KohaClient
from connectors.oneroster import OneRosterClient
from sandbox.app import create_app as create_sandbox
from tests.support.servers import serve
from tests.workflows.privacy_env import Student, World, build_world
from tests.workflows.sync_env import start_sync


@pytest.fixture(autouse=True)
def forget_tombstones(engine: Engine) -> Iterator[None]:
    """The session's store is shared: a tombstone left behind would keep every later test's
    roster sync from creating that sandbox person (the sandboxes share their seeded ids)."""
    with session_scope(engine) as session:
        before = set(session.exec(select(PrivacyTombstone.subject)).all())
    yield
    with session_scope(engine) as session:
        for row in session.exec(select(PrivacyTombstone)).all():
            if row.subject not in before:
                session.delete(row)
        session.commit()


@pytest.fixture(scope="module")
def institution(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict]]:
    app = create_sandbox(tmp_path_factory.mktemp("privacy-sandbox"), seed=11, size="demo")
    creds = {name: dict(ctx.credentials) for name, ctx in app.state.systems.items()}
    with serve(app) as url:
        yield url, creds


@pytest.fixture(scope="module")
async def world(
    institution: tuple[str, dict],
    engine: Engine,
    credentials: Credentials,
    temporal_client: Client,
    settings: Settings,
    worker: Worker,
) -> AsyncIterator[World]:
    url, creds = institution
    async for w in build_world(
        url, creds, engine, credentials, temporal_client, settings.temporal.task_queue
    ):
        yield w


def request(world: World, student: Student, **extra: Any) -> dict[str, Any]:
    return {
        "sourced_id": student.sourced_id,
        "sis": world.names["oneroster"],
        "connections": [world.names[s] for s in ("canvas", "koha", "finance")],
        **extra,
    }


async def until(api: httpx.AsyncClient, path: str, done: tuple[str, ...]) -> dict[str, Any]:
    for _ in range(600):
        body = (await api.get(path)).json()
        if body["status"] in done:
            return body  # type: ignore[no-any-return]
        await asyncio.sleep(0.1)
    raise AssertionError(f"{path} stayed {body['status']}")


async def in_canvas(world: World, student: Student) -> bool:
    """Whether Canvas still has the person: a user under their SIS id that is not the erased
    shell Canvas keeps of a deleted user (anonymised first, no enrollment left)."""
    async with world.client("canvas", CanvasClient) as canvas:
        try:
            user = await canvas.get_user_by_sis_id(student.sourced_id)
        except NotFound:
            return False
        enrollments = [
            e async for e in canvas.list_user_enrollments(user.id, states=["active", "invited"])
        ]
    if user.name == ERASED_NAME:
        assert student.family_name not in (user.sortable_name or "") and not enrollments
        return False
    return True


async def in_library(world: World, student: Student) -> bool:
    async with world.client("koha", KohaClient) as koha:
        return await koha.find_patron_by_cardnumber(student.student_id) is not None


async def bursar_account(world: World, student: Student) -> Any:
    async with world.client("finance", BursarClient) as bursar:
        return await bursar.get_account(student.student_id)


async def test_an_export_holds_each_systems_data_for_the_person_and_nobody_elses(
    world: World, api: httpx.AsyncClient, engine: Engine
) -> None:
    me, other = world.students
    started = await api.post("/api/v1/privacy/exports", json=request(world, me))
    assert started.status_code == 202, started.text
    done = await until(api, f"/api/v1/privacy/exports/{started.json()['id']}", ("ready", "failed"))
    assert done["status"] == "ready", done

    with session_scope(engine) as session:  # sealed at rest: the zip is not in the database
        row = session.get(PrivacyExport, done["id"])
        assert row is not None and row.blob is not None
        assert b"PK" not in row.blob[:16] and me.family_name.encode() not in row.blob

    answer = await api.get(f"/api/v1/privacy/exports/{done['id']}/download")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    manifest = json.loads(archive.read("manifest.json"))
    sections = {s["section"]: s for s in manifest["systems"]}
    assert set(sections) == {*world.names.values(), "atrium"}
    data = {n: json.loads(archive.read(f"{n}.json")) for n in sections}
    sis, canvas = data[world.names["oneroster"]], data[world.names["canvas"]]
    koha, finance = data[world.names["koha"]], data[world.names["finance"]]
    assert [u["sourcedId"] for u in sis["users"]] == [me.sourced_id]
    assert sis["enrollments"] and all(
        e["user"]["sourcedId"] == me.sourced_id for e in sis["enrollments"]
    )
    assert [u["sis_user_id"] for u in canvas["users"]] == [me.sourced_id]
    assert canvas["enrollments"] and len(canvas["enrollments"]) == len(sis["enrollments"])
    assert [p["cardnumber"] for p in koha["patrons"]] == [me.student_id]
    assert [a["student_id"] for a in finance["accounts"]] == [me.student_id]
    assert [h["hold_type"] for h in finance["holds"]] == ["financial"]
    atrium = data["atrium"]
    assert {r["source_id"] for r in atrium["sync_records"] if r["record_type"] == "users"} == {
        me.sourced_id
    }
    assert [n["recipient"] for n in atrium["notifications_sent"]] == [me.email.lower()]
    for name in sections:  # every system has its CSV report too
        assert archive.read(f"{name}.csv").startswith(b"record_type,record,field,value")
    everything = b"".join(archive.read(n) for n in archive.namelist())
    assert me.sourced_id.encode() in everything
    for foreign in (other.sourced_id, other.student_id, other.email, other.family_name):
        assert foreign.encode() not in everything, foreign

    with session_scope(engine) as session:  # the download is audited, naming the export
        audited = session.exec(
            select(AuditEvent).where(
                col(AuditEvent.path) == f"/api/v1/privacy/exports/{done['id']}/download"
            )
        ).all()
    assert len(audited) == 1 and audited[0].outcome == "success"


async def test_an_erasure_follows_the_rules_proves_itself_and_the_person_stays_gone(
    world: World,
    api: httpx.AsyncClient,
    engine: Engine,
    temporal_client: Client,
    settings: Settings,
) -> None:
    me, other = world.students
    started = await api.post("/api/v1/privacy/erasures", json=request(world, me, waiting_seconds=1))
    assert started.status_code == 202, started.text
    assert started.json()["status"] == "waiting"
    done = await until(
        api, f"/api/v1/privacy/erasures/{started.json()['id']}", ("completed", "incomplete")
    )
    assert done["status"] == "completed", done
    treated = {(s["connection"], s["record_type"]): s["treatment"] for s in done["steps"]}
    assert treated[(world.names["canvas"], "users")] == "erased"
    assert treated[(world.names["koha"], "patrons")] == "erased"
    assert treated[(world.names["finance"], "accounts")] == "anonymised"
    assert treated[(world.names["oneroster"], "users")] == "kept"
    assert treated[("atrium", "sync_records")] == "erased"

    # LMS and library activity erased; the ledger and the transcript kept; the other untouched.
    assert not await in_canvas(world, me) and not await in_library(world, me)
    account = await bursar_account(world, me)  # the ledger kept, the name and email not
    assert account.student_id == me.student_id and account.name == ERASED_NAME
    assert account.email and me.email.lower() not in account.email.lower()
    async with world.client("oneroster", OneRosterClient) as sis:
        assert (await sis.get("users", me.sourced_id)).sourced_id == me.sourced_id
    assert await in_canvas(world, other) and await in_library(world, other)
    with session_scope(engine) as session:
        mine = session.exec(select(SyncRecord).where(SyncRecord.source_id == me.sourced_id)).all()
        assert mine == []
        assert (
            session.exec(
                select(SentNotification).where(SentNotification.recipient == me.email.lower())
            ).all()
            == []
        )
        assert session.get(PrivacyTombstone, subject_of(me.sourced_id)) is not None
        # one proof per system in the audit log, naming the request and never the person
        proofs = session.exec(
            select(AuditEvent).where(
                col(AuditEvent.path) == f"/api/v1/privacy/erasures/{done['id']}"
            )
        ).all()
    assert {p.hash for p in proofs} == {s["proof"] for s in done["steps"]}
    assert len(proofs) == len(world.names) + 1
    assert all(me.sourced_id not in p.action + p.path for p in proofs)
    assert audit.verify(engine).ok

    # The next roster sync sets the person aside instead of creating them again.
    handle = await start_sync(temporal_client, settings.temporal.task_queue, world.pair)
    result = await handle.result()
    assert result.totals["users"].created == 0
    assert not await in_canvas(world, me)
    with session_scope(engine) as session:
        parked = session.exec(
            select(QuarantinedRecord).where(
                QuarantinedRecord.integration == world.names["canvas"],
                QuarantinedRecord.source_id == me.sourced_id,
            )
        ).one()
    assert parked.stage == "erased" and parked.payload == {}


async def test_cancelling_during_the_waiting_period_changes_nothing(
    world: World, api: httpx.AsyncClient, engine: Engine
) -> None:
    _, other = world.students
    started = await api.post(
        "/api/v1/privacy/erasures", json=request(world, other, waiting_seconds=600)
    )
    erasure = started.json()["id"]
    cancelled = await api.post(
        f"/api/v1/privacy/erasures/{erasure}/cancel", json={"reason": "withdrawn"}
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["steps"] == []
    again = await api.post(f"/api/v1/privacy/erasures/{erasure}/cancel")
    assert again.status_code == 409 and "cancelled" in again.json()["error"]
    assert await in_canvas(world, other) and await in_library(world, other)
    with session_scope(engine) as session:
        assert session.get(PrivacyTombstone, subject_of(other.sourced_id)) is None


async def test_a_legal_hold_blocks_the_erasure(
    world: World, api: httpx.AsyncClient, engine: Engine
) -> None:
    _, other = world.students
    hold = await api.post(
        "/api/v1/privacy/legal-holds",
        json={"sourced_id": other.sourced_id, "reason": "litigation 2026-17"},
    )
    assert hold.status_code == 201, hold.text
    try:
        started = await api.post(
            "/api/v1/privacy/erasures", json=request(world, other, waiting_seconds=0)
        )
        done = await until(api, f"/api/v1/privacy/erasures/{started.json()['id']}", ("blocked",))
        assert "litigation 2026-17" in done["reason"]
        assert await in_canvas(world, other) and await in_library(world, other)
        with session_scope(engine) as session:
            assert session.get(PrivacyTombstone, subject_of(other.sourced_id)) is None
    finally:
        await api.delete(f"/api/v1/privacy/legal-holds/{hold.json()['id']}")


async def test_requests_name_the_field_they_refuse(world: World, api: httpx.AsyncClient) -> None:
    me, _ = world.students
    bad = await api.post(
        "/api/v1/privacy/exports", json=request(world, me, connections=["no-such-thing"])
    )
    assert bad.status_code == 422 and "connections[0]" in bad.json()["error"]
    bad = await api.post("/api/v1/privacy/erasures", json=request(world, me, waiting_seconds=-1))
    assert bad.status_code == 422 and "waiting_seconds" in bad.json()["error"]
    bad = await api.post("/api/v1/privacy/exports", json={"sourced_id": "x'; DROP"})
    assert bad.status_code == 422 and "sourced_id" in bad.json()["error"]
