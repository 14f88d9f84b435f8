"""The console's roster packages page in a real browser: upload a OneRoster CSV package, watch it
get synced into Canvas, and see a broken package's problems (file, line, column)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
from playwright.async_api import FilePayload, Page, expect
from sqlalchemy.engine import Engine
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError

from atrium.credentials import Credentials
from sandbox.oneroster.bulk_csv import build_zip
from sandbox.oneroster.runtime import Runtime
from tests.ui.conftest import shoot
from tests.workflows.csv_drop_env import register_upload_source, remove_integrations
from tests.workflows.sync_env import SyncSandbox, register, start_sandbox
from workflows.roster_csv_import import RosterCsvImportResult


@dataclass
class Setup:
    source: str
    canvas: str
    package: bytes


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncSandbox]:
    yield from start_sandbox(tmp_path_factory.mktemp("console-csv-sandbox"))


@pytest.fixture(scope="module")
async def setup(
    sandbox: SyncSandbox, engine: Engine, credentials: Credentials
) -> AsyncIterator[Setup]:
    source = register_upload_source(engine, sandbox.base("oneroster"))
    canvas = await register(engine, credentials, sandbox, "canvas")
    package = build_zip(Runtime(ctx=sandbox.contexts["oneroster"], prefix="/oneroster"), None)
    yield Setup(source, canvas, package)
    await remove_integrations(engine, credentials, [source, canvas])


async def upload(console: Page, setup: Setup, name: str, data: bytes) -> None:
    await console.goto("/#/roster-packages/create")
    await console.locator("input[name=source]").fill(setup.source)
    await console.locator("input[name='targets.0.integration']").fill(setup.canvas)
    await console.locator("input[type=file]").set_input_files(
        files=FilePayload(name=name, mimeType="application/zip", buffer=data)
    )
    await console.get_by_role("button", name="Upload").click()
    await expect(console).to_have_url(re.compile(r"#/roster-packages/\d+/show"))


async def status_becomes(
    console: Page, client: Client, setup: Setup, status: str, seconds: float = 300
) -> None:
    """The show page follows the package as the run moves it on (a full sync of the demo
    school), without a reload; when it does not get there, the failure says where the run
    stands."""
    try:
        await expect(console.get_by_text(status, exact=True)).to_be_visible(timeout=seconds * 1000)
    except AssertionError:
        package = console.url.rstrip("/").split("/")[-2]
        raise AssertionError(
            f"the package did not become {status} in {seconds}s; "
            + await where_the_run_stands(client, f"roster-csv-{setup.source}-package-{package}")
        ) from None


async def where_the_run_stands(client: Client, workflow_id: str) -> str:
    handle = client.get_workflow_handle(workflow_id, result_type=RosterCsvImportResult)
    try:
        raw = (await handle.describe()).raw_description
    except RPCError as exc:
        return f"{workflow_id}: {exc.message}"
    if raw.workflow_execution_info.status == WorkflowExecutionStatus.COMPLETED:
        # e.g. outcome "waiting": a sync into the LMS failed, the package stays staged
        return f"{workflow_id} completed: {(await handle.result()).model_dump_json()[:2000]}"
    activities = [
        f"{a.activity_type.name} attempt {a.attempt}: {a.last_failure.message or 'no failure'}"
        for a in raw.pending_activities
    ]
    children = [f"child {c.workflow_id}" for c in raw.pending_children]
    state = WorkflowExecutionStatus(raw.workflow_execution_info.status).name
    return f"{workflow_id} {state}; pending: {activities + children or 'nothing'}"


async def test_upload_a_package_and_see_it_processed(
    console: Page, setup: Setup, temporal_client: Client
) -> None:
    await upload(console, setup, "oneroster-console.zip", setup.package)
    await status_becomes(console, temporal_client, setup, "processed")
    await expect(console.get_by_text("oneroster-console.zip", exact=True)).to_be_visible()
    await shoot(console, "roster-package-show")
    await console.goto("/#/roster-packages")
    row = console.get_by_role("row").filter(has_text="oneroster-console.zip")
    await expect(row).to_contain_text(setup.source)
    await expect(row).to_contain_text("processed")


async def test_a_broken_package_shows_its_problems(
    console: Page, setup: Setup, temporal_client: Client
) -> None:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(setup.package)) as src,
        zipfile.ZipFile(out, "w") as dst,
    ):
        for item in src.namelist():
            body = src.read(item)
            dst.writestr(item, body.replace(b"classSourcedId", b"sectionId", 1))
    await upload(console, setup, "oneroster-broken.zip", out.getvalue())
    await status_becomes(console, temporal_client, setup, "rejected")
    problems = console.get_by_test_id("package-problems")
    await expect(problems).to_contain_text("enrollments.csv:1:")
    await shoot(console, "roster-package-rejected")
