"""A person erased on request is not re-created by a roster import from a OneRoster CSV package
(the SIS's SFTP drop) into Canvas and Moodle: their users.csv row and the enrollments naming
them are set aside as ``erased`` (no payload kept), everyone else is synced."""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio.client import Client
from temporalio.worker import Worker

from atrium.credentials import Credentials
from atrium.db import session_scope
from atrium.models import QuarantinedRecord
from atrium.models.privacy import PrivacyTombstone
from atrium.privacy.store import bury
from atrium.privacy.subjects import subject_of
from atrium.settings import Settings
from connectors.credentials import static_credentials
from connectors.moodle import MoodleClient
from sandbox.sis_drop import write_package
from tests.workflows.csv_drop_env import SisDrop, register_csv_source, remove_integrations, sis_drop
from tests.workflows.sync_env import SyncSandbox, canvas, register, start_sandbox
from workflows.roster_csv_import import CsvTarget, RosterCsvImport, RosterCsvImportInput


@pytest.fixture
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncSandbox]:
    yield from start_sandbox(tmp_path_factory.mktemp("erasure-csv-sandbox"))


@pytest.fixture
async def drop(sandbox: SyncSandbox) -> AsyncIterator[SisDrop]:
    async with sis_drop(sandbox.contexts["oneroster"]) as served:
        yield served


@pytest.fixture
async def names(
    sandbox: SyncSandbox, drop: SisDrop, engine: Engine, credentials: Credentials
) -> AsyncIterator[dict[str, str]]:
    made = {
        "source": await register_csv_source(engine, credentials, drop, sandbox.base("oneroster")),
        "canvas": await register(engine, credentials, sandbox, "canvas"),
        "moodle": await register(engine, credentials, sandbox, "moodle"),
    }
    yield made
    await remove_integrations(engine, credentials, list(made.values()))


@pytest.fixture
def erased(engine: Engine) -> Iterator[list[str]]:
    """Tombstones this test buries, removed after it (the store is the session's)."""
    buried: list[str] = []
    yield buried
    with session_scope(engine) as session:
        for subject in buried:
            row = session.get(PrivacyTombstone, subject)
            if row is not None:
                session.delete(row)
        session.commit()


async def test_a_csv_roster_import_does_not_recreate_an_erased_person(
    sandbox: SyncSandbox,
    drop: SisDrop,
    names: dict[str, str],
    erased: list[str],
    engine: Engine,
    temporal_client: Client,
    settings: Settings,
    worker: Worker,
) -> None:
    package = "oneroster-20261001.zip"
    data = write_package(drop.ctx, package).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        lines = archive.read("users.csv").decode().splitlines()[1:]
    users = len([line for line in lines if line.strip()])
    students = [line.split(",")[0] for line in lines if line.startswith("stu-")]
    gone, kept = students[0], students[1]
    erased.append(subject_of(gone))
    bury(engine, erased, erasure_id=999_999)

    result = await temporal_client.execute_workflow(
        RosterCsvImport.run,
        RosterCsvImportInput(
            source=names["source"],
            targets=[
                CsvTarget(integration=names["canvas"], target_system="canvas"),
                CsvTarget(integration=names["moodle"], target_system="moodle"),
            ],
            page_size=500,
        ),
        id=f"roster-csv-erasure-{uuid.uuid4().hex[:6]}",
        task_queue=settings.temporal.task_queue,
    )
    [outcome] = [p for p in result.packages if p.name == package]
    assert outcome.outcome == "processed", outcome
    for target in ("canvas", "moodle"):
        sync = outcome.syncs[names[target]]
        assert sync["status"] == "completed", sync
        totals: dict[str, dict[str, int]] = sync["totals"]  # type: ignore[assignment]
        assert totals["users"]["created"] == users - 1, totals  # everyone but the erased one
        with session_scope(engine) as session:
            parked = session.exec(
                select(QuarantinedRecord).where(
                    QuarantinedRecord.integration == names[target],
                    QuarantinedRecord.source_id == gone,
                )
            ).one()
        assert parked.stage == "erased" and parked.payload == {}

    with pytest.raises(httpx.HTTPStatusError) as missing:
        await canvas(sandbox, f"/users/sis_user_id:{gone}")
    assert missing.value.response.status_code == 404
    assert (await canvas(sandbox, f"/users/sis_user_id:{kept}"))["sis_user_id"] == kept
    moodle = MoodleClient(
        sandbox.base("moodle"), static_credentials(sandbox.contexts["moodle"].credentials)
    )
    async with moodle:
        found = [u.idnumber async for u in moodle.users_by_field("idnumber", [gone, kept])]
    assert found == [kept]
