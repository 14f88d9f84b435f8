"""Roster sync from OneRoster CSV packages in the SIS's SFTP drop, into Canvas and Moodle, on the
real Temporal dev server: each package processed once, bad ones filed as rejected with a report.

Packages are written by the sandbox SIS's own exporter (sandbox/oneroster/bulk_csv.py, the 1.2
binding), as its nightly job drops them."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio.client import Client
from temporalio.worker import Worker

from atrium.credentials import Credentials
from atrium.db import session_scope
from atrium.models import RosterPackage
from atrium.settings import Settings
from connectors.credentials import static_credentials
from connectors.moodle import MoodleClient
from sandbox.sis_drop import write_package
from tests.workflows.csv_drop_env import SisDrop, register_csv_source, remove_integrations, sis_drop
from tests.workflows.sync_env import SyncSandbox, canvas, mutate, register, start_sandbox
from workflows.reconciliation import Reconciliation, ReconciliationInput
from workflows.roster_csv_import import (
    CsvTarget,
    PackageOutcome,
    RosterCsvImport,
    RosterCsvImportInput,
)


@dataclass
class Connections:
    source: str
    canvas: str
    moodle: str


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncSandbox]:
    yield from start_sandbox(tmp_path_factory.mktemp("csv-sandbox"))


@pytest.fixture(scope="module")
async def drop(sandbox: SyncSandbox) -> AsyncIterator[SisDrop]:
    async with sis_drop(sandbox.contexts["oneroster"]) as served:
        yield served


@pytest.fixture(scope="module")
async def connections(
    sandbox: SyncSandbox, drop: SisDrop, engine: Engine, credentials: Credentials
) -> AsyncIterator[Connections]:
    made = Connections(
        source=await register_csv_source(engine, credentials, drop, sandbox.base("oneroster")),
        canvas=await register(engine, credentials, sandbox, "canvas"),
        moodle=await register(engine, credentials, sandbox, "moodle"),
    )
    yield made
    await remove_integrations(engine, credentials, [made.source, made.canvas, made.moodle])


async def run_import(
    client: Client, settings: Settings, c: Connections, name: str
) -> PackageOutcome:
    arg = RosterCsvImportInput(
        source=c.source,
        targets=[
            CsvTarget(integration=c.canvas, target_system="canvas"),
            CsvTarget(integration=c.moodle, target_system="moodle"),
        ],
        page_size=500,
    )
    result = await client.execute_workflow(
        RosterCsvImport.run,
        arg,
        id=f"roster-csv-{c.source}-{uuid.uuid4().hex[:6]}",
        task_queue=settings.temporal.task_queue,
    )
    found = [p for p in result.packages if p.name == name]
    assert len(found) == 1, result
    return found[0]


def report(drop: SisDrop, path: str) -> dict[str, Any]:
    return dict(json.loads((drop.root / path).read_text()))


def packages_named(engine: Engine, source: str, name: str) -> list[RosterPackage]:
    with session_scope(engine) as session:
        return list(
            session.exec(
                select(RosterPackage).where(
                    RosterPackage.source == source, RosterPackage.name == name
                )
            ).all()
        )


@dataclass
class FirstPackage:
    name: str
    data: bytes
    outcome: PackageOutcome


@pytest.fixture(scope="module")
async def first(
    connections: Connections,
    drop: SisDrop,
    temporal_client: Client,
    settings: Settings,
    worker: Worker,
) -> FirstPackage:
    name = "oneroster-20260901.zip"
    data = write_package(drop.ctx, name).read_bytes()
    return FirstPackage(name, data, await run_import(temporal_client, settings, connections, name))


async def test_a_dropped_package_is_synced_into_canvas_and_moodle_and_filed(
    first: FirstPackage, connections: Connections, drop: SisDrop, sandbox: SyncSandbox
) -> None:
    assert first.outcome.outcome == "processed" and first.outcome.problem_count == 0
    into_canvas = first.outcome.syncs[connections.canvas]
    into_moodle = first.outcome.syncs[connections.moodle]
    assert into_canvas["status"] == into_moodle["status"] == "completed"
    canvas_totals: Any = into_canvas["totals"]
    moodle_totals: Any = into_moodle["totals"]
    assert canvas_totals["users"]["created"] == moodle_totals["users"]["created"] == 314
    assert canvas_totals["enrollments"]["created"] == 1560
    assert moodle_totals["enrollments"]["quarantined"] == 0
    with zipfile.ZipFile(io.BytesIO(first.data)) as archive:
        student = next(
            line.split(",")[0]
            for line in archive.read("users.csv").decode().splitlines()
            if line.startswith("stu-")
        )
    assert (await canvas(sandbox, f"/users/sis_user_id:{student}"))["sis_user_id"] == student
    moodle = MoodleClient(
        sandbox.base("moodle"), static_credentials(sandbox.contexts["moodle"].credentials)
    )
    async with moodle:
        found = [u.idnumber async for u in moodle.users_by_field("idnumber", [student])]
    assert found == [student]
    assert not (drop.root / "drop" / first.name).exists()
    assert (drop.root / "processed" / first.name).read_bytes() == first.data
    filed = report(drop, f"processed/{first.name}.report.json")
    assert filed["outcome"] == "processed" and filed["counts"]["users"] == 314
    assert filed["syncs"][connections.canvas]["status"] == "completed"


async def test_the_same_package_dropped_twice_is_processed_once(
    first: FirstPackage,
    connections: Connections,
    drop: SisDrop,
    engine: Engine,
    temporal_client: Client,
    settings: Settings,
) -> None:
    drop.put(first.name, first.data)
    again = await run_import(temporal_client, settings, connections, first.name)
    assert again.outcome == "duplicate" and again.package == first.outcome.package
    assert again.syncs == {}  # no roster sync ran for it
    assert len(packages_named(engine, connections.source, first.name)) == 1
    assert not (drop.root / "drop" / first.name).exists()
    second_copies = sorted((drop.root / "processed").glob(f"{first.name}.*.report.json"))
    assert len(second_copies) == 1
    filed = json.loads(second_copies[0].read_text())
    assert filed["duplicate_of"] == first.outcome.package


async def test_a_later_package_writes_only_what_changed(
    first: FirstPackage,
    connections: Connections,
    drop: SisDrop,
    sandbox: SyncSandbox,
    temporal_client: Client,
    settings: Settings,
) -> None:
    changed = await mutate(
        sandbox, collection="users", count=2, filter="role='student'", set={"givenName": "Zed"}
    )
    name = "oneroster-20260902.zip"
    write_package(drop.ctx, name)
    outcome = await run_import(temporal_client, settings, connections, name)
    assert outcome.outcome == "processed"
    totals: Any = outcome.syncs[connections.canvas]["totals"]
    assert totals["users"]["updated"] == 2 and totals["users"]["created"] == 0
    assert totals["enrollments"]["created"] == 0 and totals["enrollments"]["deactivated"] == 0
    user = await canvas(sandbox, f"/users/sis_user_id:{changed[0]}")
    assert user["name"].startswith("Zed ")


def broken(data: bytes) -> bytes:
    """The package with users.csv's header misspelt (a column renamed by a careless export)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.namelist():
            body = src.read(item)
            if item == "users.csv":
                body = body.replace(b"givenName", b"firstName", 1)
            dst.writestr(item, body)
    return out.getvalue()


async def test_a_package_that_fails_validation_is_rejected_with_a_report(
    connections: Connections,
    drop: SisDrop,
    engine: Engine,
    temporal_client: Client,
    settings: Settings,
    worker: Worker,
) -> None:
    name = "oneroster-20260903-bad.zip"
    good = write_package(drop.ctx, name)
    drop.put(name, broken(good.read_bytes()))
    outcome = await run_import(temporal_client, settings, connections, name)
    assert outcome.outcome == "rejected" and outcome.syncs == {}
    assert not (drop.root / "drop" / name).exists()
    assert (drop.root / "rejected" / name).exists()
    filed = report(drop, f"rejected/{name}.report.json")
    assert filed["outcome"] == "rejected"
    assert any(p.startswith("users.csv:1:") and "givenName" in p for p in filed["problems"])
    [row] = packages_named(engine, connections.source, name)
    assert row.status == "rejected" and row.problem_count >= 1


async def test_reconciliation_compares_the_lms_with_the_newest_package(
    first: FirstPackage, connections: Connections, temporal_client: Client, settings: Settings
) -> None:
    # The CSV source's secret holds only the SFTP login: a REST read would be refused.
    arg = ReconciliationInput(integration=connections.canvas, source=connections.source)
    result = await temporal_client.execute_workflow(
        Reconciliation.run,
        arg,
        id=f"reconcile-{connections.canvas}-{uuid.uuid4().hex[:6]}",
        task_queue=settings.temporal.task_queue,
    )
    users = next(d for d in result.drift if d.record_type == "users")
    enrollments = next(d for d in result.drift if d.record_type == "enrollments")
    assert users.compared == 314 and enrollments.compared == 1560
    assert users.missing_count == users.different_count == enrollments.missing_count == 0
