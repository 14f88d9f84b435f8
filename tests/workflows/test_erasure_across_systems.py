"""Issue 16's done-when, on the real engine and a private sandbox institution: one student in
Canvas, Moodle, Koha, the bursar and Atrium's store is erased; each system is left as the school's
rules say (LMS and library deleted, the bursar's personal fields anonymised with its ledger kept,
the SIS transcript kept); then a roster sync into Canvas and into Moodle, a library provisioning
run and an onboarding of the same person create nothing of them again."""

from __future__ import annotations

import asyncio
import io
import json
import uuid
import zipfile
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio.client import Client
from temporalio.worker import Worker

from atrium.credentials import Credentials
from atrium.db import session_scope
from atrium.models import QuarantinedRecord, SentNotification, SyncRecord
from atrium.models.privacy import PrivacyTombstone
from atrium.privacy.erasure_plan import ERASED_NAME
from atrium.privacy.subjects import number_subject, subject_of
from atrium.settings import Settings
from connectors.canonical.models import Person as CanonicalPerson
from connectors.canvas import CanvasClient
from connectors.errors import NotFound
from connectors.finance.client import BursarClient
from connectors.finance.models import ChargeCreate
from connectors.koha import KohaClient
from connectors.moodle import MoodleClient
from sandbox.app import create_app as create_sandbox
from sandbox.context import SystemContext
from tests.support.servers import serve
from tests.workflows.privacy_env import (
    Student,
    World,
    enrol_elsewhere,
    pick_students,
    register,
    unregister,
)
from tests.workflows.sync_env import Pair, start_sync
from workflows.library_provisioning import LibraryProvisioning, LibraryProvisioningInput
from workflows.onboarding import AdmittedStudent, OnboardingInput, StudentOnboarding

SYSTEMS = ("oneroster", "canvas", "moodle", "koha", "finance")
CHARGE = Decimal("42.50")


@pytest.fixture(autouse=True)
def forget_tombstones(engine: Engine) -> Iterator[None]:
    """A tombstone left in the session's store would keep later tests' syncs from creating that
    sandbox person (the sandboxes share their seeded ids)."""
    with session_scope(engine) as session:
        before = set(session.exec(select(PrivacyTombstone.subject)).all())
    yield
    with session_scope(engine) as session:
        for row in session.exec(select(PrivacyTombstone)).all():
            if row.subject not in before:
                session.delete(row)
        session.commit()


@pytest.fixture
def institution(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict, Any]]:
    app = create_sandbox(tmp_path_factory.mktemp("erasure-sandbox"), seed=13, size="demo")
    creds = {name: dict(ctx.credentials) for name, ctx in app.state.systems.items()}
    with serve(app) as url:
        yield url, creds, app.state.systems


@pytest.fixture
async def world(
    institution: tuple[str, dict, Any],
    engine: Engine,
    credentials: Credentials,
    temporal_client: Client,
    settings: Settings,
    worker: Worker,
) -> AsyncIterator[World]:
    """Two students synced into Canvas and Moodle, with a patron, a bursar account (a hold and
    a charge: the ledger) and a notification in Atrium's store: one to erase, one untouched."""
    url, creds, _ = institution
    tag = uuid.uuid4().hex[:6]
    names = {s: f"erasure-{s}-{tag}" for s in SYSTEMS}
    world = World(url, creds, names, Pair(names["oneroster"], names["canvas"], "canvas"))
    await register(engine, credentials, world)
    try:
        queue = settings.temporal.task_queue
        for handle in await asyncio.gather(
            start_sync(temporal_client, queue, world.pair, page_size=400),
            start_sync(temporal_client, queue, moodle_pair(world), page_size=400),
        ):
            await handle.result()
        world.students = await pick_students(world, 2)
        for student in world.students:
            await enrol_elsewhere(world, engine, student)
            async with world.client("finance", BursarClient) as bursar:
                await bursar.post_charge(
                    student.student_id,
                    ChargeCreate(amount=CHARGE, description="library fine"),
                    idempotency_key=uuid.uuid4().hex,
                )
        yield world
    finally:
        await unregister(engine, credentials, world)


def moodle_pair(world: World) -> Pair:
    return Pair(world.names["oneroster"], world.names["moodle"], "moodle")


async def in_canvas(world: World, student: Student) -> bool:
    """A user under the SIS id that is not the erased shell Canvas keeps of a deleted user."""
    async with world.client("canvas", CanvasClient) as canvas:
        try:
            user = await canvas.get_user_by_sis_id(student.sourced_id)
        except NotFound:
            return False
    return user.name != ERASED_NAME


async def moodle_users(world: World, student: Student) -> list[Any]:
    async with world.client("moodle", MoodleClient) as moodle:
        return [u async for u in moodle.users_by_field("idnumber", [student.sourced_id])]


async def patron(world: World, student: Student) -> Any:
    async with world.client("koha", KohaClient) as koha:
        return await koha.find_patron_by_cardnumber(student.student_id)


async def until(api: httpx.AsyncClient, path: str, done: tuple[str, ...]) -> dict[str, Any]:
    for _ in range(900):
        body = (await api.get(path)).json()
        if body["status"] in done:
            return body  # type: ignore[no-any-return]
        await asyncio.sleep(0.1)
    raise AssertionError(f"{path} stayed {body['status']}")


async def test_an_erasure_across_every_system_leaves_the_configured_records_and_nothing_returns(
    world: World,
    institution: tuple[str, dict, Any],
    api: httpx.AsyncClient,
    engine: Engine,
    temporal_client: Client,
    settings: Settings,
    worker: Worker,
) -> None:
    me, other = world.students
    systems: dict[str, SystemContext] = institution[2]
    [moodle_user] = await moodle_users(world, me)
    assert await in_canvas(world, me) and await patron(world, me) is not None
    async with world.client("finance", BursarClient) as bursar:
        ledger = (await bursar.get_account(me.student_id)).balance
    assert ledger >= CHARGE
    connections = [world.names[s] for s in ("canvas", "moodle", "koha", "finance")]

    # The access export holds Moodle's section: the user, their enrolments and their grades. (Of
    # the student who stays: the erasure deletes the person's own exports, and SQLite would give
    # the next export the freed id, which the audit log already names for this download.)
    [their_moodle] = await moodle_users(world, other)
    exported = await api.post(
        "/api/v1/privacy/exports",
        json={
            "sourced_id": other.sourced_id,
            "sis": world.names["oneroster"],
            "connections": connections,
        },
    )
    assert exported.status_code == 202, exported.text
    ready = await until(
        api, f"/api/v1/privacy/exports/{exported.json()['id']}", ("ready", "failed")
    )
    assert ready["status"] == "ready", ready
    archive = zipfile.ZipFile(
        io.BytesIO((await api.get(f"/api/v1/privacy/exports/{ready['id']}/download")).content)
    )
    moodle = json.loads(archive.read(f"{world.names['moodle']}.json"))
    assert [u["idnumber"] for u in moodle["users"]] == [other.sourced_id]
    assert moodle["enrolments"] and len(moodle["grades"]) == len(moodle["enrolments"])
    assert {g["userid"] for g in moodle["grades"]} == {their_moodle.id}
    files = archive.read(f"{world.names['moodle']}.json") + archive.read(
        f"{world.names['moodle']}.csv"
    )
    for foreign in (me.sourced_id, me.email, moodle_user.username):
        assert foreign.encode() not in files, foreign

    started = await api.post(
        "/api/v1/privacy/erasures",
        json={
            "sourced_id": me.sourced_id,
            "sis": world.names["oneroster"],
            "connections": connections,
            "waiting_seconds": 0,
        },
    )
    assert started.status_code == 202, started.text
    done = await until(
        api, f"/api/v1/privacy/erasures/{started.json()['id']}", ("completed", "incomplete")
    )
    assert done["status"] == "completed", done
    treated = {(s["connection"], s["record_type"]): s["treatment"] for s in done["steps"]}
    assert treated[(world.names["canvas"], "users")] == "erased"
    assert treated[(world.names["moodle"], "users")] == "erased"
    assert treated[(world.names["koha"], "patrons")] == "erased"
    assert treated[(world.names["finance"], "accounts")] == "anonymised"
    assert treated[(world.names["finance"], "holds")] == "kept"
    assert treated[(world.names["oneroster"], "users")] == "kept"
    assert treated[("atrium", "sync_records")] == "erased"

    # Canvas and Koha: gone. Moodle: no user under the SIS id; the row Moodle keeps of a deleted
    # user holds no name or address of the person.
    assert not await in_canvas(world, me) and await patron(world, me) is None
    assert await moodle_users(world, me) == []
    kept = systems["moodle"].connect()
    try:
        row = kept.execute(
            "SELECT deleted, firstname, lastname, email, username, idnumber FROM user WHERE id = ?",
            (moodle_user.id,),
        ).fetchone()
    finally:
        kept.close()
    assert row[0] == 1 and row[5] == ""
    assert (row[1], row[2]) == ("Erased", "person")
    left = " ".join(str(v) for v in row).lower()
    for mine in (me.email, moodle_user.username, moodle_user.email):
        assert mine.lower() not in left, mine
    # The bursar: the ledger (balance with the charge, the hold) kept, the personal fields not.
    async with world.client("finance", BursarClient) as bursar:
        account = await bursar.get_account(me.student_id)
        holds = [h async for h in bursar.list_holds(me.student_id, status="active")]
    assert account.balance == ledger and [h.hold_type for h in holds] == ["financial"]
    assert account.name == ERASED_NAME and me.family_name not in account.name
    assert account.email is not None and me.email.lower() not in account.email.lower()
    # Atrium's store: no sync record in either LMS, no notification; the tombstone by both keys.
    with session_scope(engine) as session:
        assert (
            session.exec(select(SyncRecord).where(SyncRecord.source_id == me.sourced_id)).all()
            == []
        )
        assert (
            session.exec(
                select(SentNotification).where(SentNotification.recipient == me.email.lower())
            ).all()
            == []
        )
        for key in (subject_of(me.sourced_id), number_subject(me.student_id)):
            assert session.get(PrivacyTombstone, key) is not None
    # The other student is untouched everywhere.
    assert await in_canvas(world, other) and await patron(world, other) is not None
    assert len(await moodle_users(world, other)) == 1
    async with world.client("finance", BursarClient) as bursar:
        assert (await bursar.get_account(other.student_id)).email == other.email

    # The next roster syncs into Canvas and Moodle set the person aside.
    queue = settings.temporal.task_queue
    for pair in (world.pair, moodle_pair(world)):
        result = await (await start_sync(temporal_client, queue, pair)).result()
        assert result.totals["users"].created == 0, pair
        with session_scope(engine) as session:
            parked = session.exec(
                select(QuarantinedRecord).where(
                    QuarantinedRecord.integration == pair.target,
                    QuarantinedRecord.source_id == me.sourced_id,
                )
            ).one()
        assert parked.stage == "erased" and parked.payload == {}
    assert not await in_canvas(world, me) and await moodle_users(world, me) == []

    # Retrying a quarantined record of the person (one parked with its payload) writes nothing.
    with session_scope(engine) as session:
        parked = session.exec(
            select(QuarantinedRecord).where(
                QuarantinedRecord.integration == world.names["canvas"],
                QuarantinedRecord.source_id == me.sourced_id,
            )
        ).one()
        parked.stage, parked.status = "target", "open"
        parked.payload = CanonicalPerson(
            source_id=me.sourced_id,
            date_last_modified=datetime.now(UTC),
            username=f"again-{uuid.uuid4().hex[:6]}",
            given_name=me.given_name,
            family_name=me.family_name,
            email=me.email,
            role="student",
        ).model_dump(mode="json")
        session.add(parked)
        session.commit()
        parked_id = parked.id
    retry = await api.post(f"/api/v1/quarantine/{parked_id}/retry", json={})
    assert retry.status_code == 202, retry.text
    outcome = await temporal_client.get_workflow_handle(retry.json()["workflow_id"]).result()
    assert outcome["resolved"] is False and "privacy tombstone" in outcome["reason"], outcome
    assert not await in_canvas(world, me)

    # Library provisioning gives every active SIS person a patron, except the erased one.
    provisioned = await temporal_client.execute_workflow(
        LibraryProvisioning.run,
        LibraryProvisioningInput(sis=world.names["oneroster"], library=world.names["koha"]),
        id=f"library-provisioning-erasure-{uuid.uuid4().hex[:6]}",
        task_queue=worker.task_queue,
        execution_timeout=timedelta(seconds=300),
    )
    assert provisioned.erased == 1 and provisioned.seen > 1
    assert await patron(world, me) is None and await patron(world, other) is not None

    # An admission of the same person is refused before any account is opened.
    report = await temporal_client.execute_workflow(
        StudentOnboarding.run,
        OnboardingInput(
            student=AdmittedStudent(
                student_id=me.student_id,
                given_name=me.given_name,
                family_name=me.family_name,
                email=me.email,
                login=f"again-{uuid.uuid4().hex[:6]}",
            ),
            expiry=date(2027, 5, 28),
            lms=world.names["canvas"],
            library=world.names["koha"],
            finance=world.names["finance"],
        ),
        id=f"onboarding-erasure-{uuid.uuid4().hex[:6]}",
        task_queue=worker.task_queue,
        execution_timeout=timedelta(seconds=120),
    )
    assert report.status == "compensated" and "erased on request" in (report.error or "")
    assert [s.status for s in report.steps] == ["failed"]
    assert await patron(world, me) is None
    async with world.client("canvas", CanvasClient) as canvas:
        with pytest.raises(NotFound):
            await canvas.get_user_by_sis_id(me.student_id)
