"""The console's roster packages page in a real browser: upload a OneRoster CSV package, watch it
get synced into Canvas, and see a broken package's problems (file, line, column)."""

from __future__ import annotations

import asyncio
import io
import re
import zipfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
from playwright.async_api import FilePayload, Page, expect
from sqlalchemy.engine import Engine

from atrium.credentials import Credentials
from sandbox.oneroster.bulk_csv import build_zip
from sandbox.oneroster.runtime import Runtime
from tests.ui.conftest import shoot
from tests.workflows.csv_drop_env import register_upload_source, remove_integrations
from tests.workflows.sync_env import SyncSandbox, register, start_sandbox


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


async def status_becomes(console: Page, status: str, seconds: float = 180) -> None:
    """The show page as the run moves the package on (a full sync of the demo school)."""
    chip = console.get_by_text(status, exact=True)
    for _ in range(int(seconds / 3)):
        if await chip.count():
            return
        await asyncio.sleep(3)
        await console.reload()
    raise AssertionError(f"the package did not become {status} in {seconds}s")


async def test_upload_a_package_and_see_it_processed(console: Page, setup: Setup) -> None:
    await upload(console, setup, "oneroster-console.zip", setup.package)
    await status_becomes(console, "processed")
    await expect(console.get_by_text("oneroster-console.zip", exact=True)).to_be_visible()
    await shoot(console, "roster-package-show")
    await console.goto("/#/roster-packages")
    row = console.get_by_role("row").filter(has_text="oneroster-console.zip")
    await expect(row).to_contain_text(setup.source)
    await expect(row).to_contain_text("processed")


async def test_a_broken_package_shows_its_problems(console: Page, setup: Setup) -> None:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(setup.package)) as src,
        zipfile.ZipFile(out, "w") as dst,
    ):
        for item in src.namelist():
            body = src.read(item)
            dst.writestr(item, body.replace(b"classSourcedId", b"sectionId", 1))
    await upload(console, setup, "oneroster-broken.zip", out.getvalue())
    await status_becomes(console, "rejected")
    problems = console.get_by_test_id("package-problems")
    await expect(problems).to_contain_text("enrollments.csv:1:")
    await shoot(console, "roster-package-rejected")
