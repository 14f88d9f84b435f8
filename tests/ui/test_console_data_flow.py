"""The console's Data flow and Trace pages in a real browser, after a real roster sync from a
private sandbox SIS into its Canvas: the graph draws the SIS -> Canvas edge with its figures, a
click on the drawn edge lists its runs and opens one; one student is traced to Canvas with the
run and mapping version; both pages fit a 360 px phone. Screenshots: tests/ui/screenshots/."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio.client import Client
from temporalio.worker import Worker

from atrium.credentials import Credentials
from atrium.db import session_scope
from atrium.models import SyncRecord
from tests.api.flow_support import Synced, make_synced, remove_synced, sync_through_api
from tests.ui.conftest import PHONE, new_page, shoot
from tests.workflows.sync_env import SyncSandbox, start_sandbox


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncSandbox]:
    yield from start_sandbox(tmp_path_factory.mktemp("console-flow-sandbox"))


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
        synced = await make_synced(api, engine, credentials, sandbox, ("canvas",))
        try:
            [target] = synced.targets
            run = await sync_through_api(api, temporal_client, synced, target)
            assert run["status"] == "COMPLETED", run
            yield synced
        finally:
            await remove_synced(engine, credentials, synced)


def _a_student(engine: Engine, synced: Synced) -> str:
    [target] = synced.targets
    with session_scope(engine) as session:
        row = session.exec(
            select(SyncRecord)
            .where(SyncRecord.integration == target, SyncRecord.record_type == "enrollments")
            .order_by(SyncRecord.source_id)
        ).first()
    assert row is not None and row.snapshot
    return row.snapshot.split("|")[0]


async def test_the_graph_draws_the_sync_and_a_click_on_its_edge_lists_its_runs(
    console: Page, synced: Synced
) -> None:
    [target] = synced.targets
    edge_id = f"roster-sync:{synced.source}:{target}"
    workflow_id, _ = synced.runs[target]
    await console.goto("/#/flows")
    await console.get_by_role("button", name="last 1h").click()
    graph = console.get_by_test_id("flow-graph")
    await expect(graph).to_be_visible()
    drawn = console.get_by_test_id(f"rf__edge-{edge_id}")
    await expect(drawn).to_have_count(1)
    await expect(graph.get_by_text(re.compile(rf"^{re.escape(synced.source)}"))).to_be_visible()
    listed = console.get_by_test_id("flow-edge").filter(
        has_text=f"roster-sync: {synced.source} → {target}"
    )
    await expect(listed).to_contain_text(re.compile(r"[\d,]+ rec · 1 run · 0 % err · p95 "))
    await shoot(console, "data-flow")

    # The edge as drawn (the middle of the arrow, where its label is), not the list beside it.
    await drawn.click()
    runs = console.get_by_test_id("edge-runs")
    await expect(runs).to_contain_text(f"roster-sync: {synced.source} → {target}")
    run = runs.get_by_test_id("edge-run")
    await expect(run).to_have_count(1)
    await expect(run).to_contain_text(workflow_id)
    await expect(run).to_contain_text("Completed")
    await shoot(console, "data-flow-edge-runs")
    await run.click()
    await expect(console).to_have_url(re.compile(rf"#/runs/{re.escape(workflow_id)}/show"))


async def test_one_student_is_traced_to_every_system_with_run_and_mapping(
    console: Page, engine: Engine, synced: Synced
) -> None:
    [target] = synced.targets
    workflow_id, _ = synced.runs[target]
    student = _a_student(engine, synced)
    await console.goto("/#/flows")
    await console.get_by_label("Trace a person (SIS id)").fill(student)
    await console.get_by_role("button", name="Trace", exact=True).click()
    await expect(console.get_by_test_id("trace-title")).to_have_text(f"person {student}")
    # This test's Canvas is one of the systems; earlier tests of the session may have written
    # the same seeded student elsewhere (their sync records stay in the session's store).
    systems = console.get_by_test_id("trace-systems")
    await expect(systems).to_contain_text(re.compile(rf"Written to \d+ systems?: .*{target}"))
    card = console.get_by_test_id("trace-system").filter(
        has=console.get_by_role("heading", name=re.compile(rf"^{re.escape(target)}\b"))
    )
    await expect(card).to_have_count(1)
    user = card.get_by_test_id("trace-entry").filter(has_text=f"users {student}")
    await expect(user).to_contain_text(f"mapping {synced.mapping}@2")
    await expect(user.get_by_role("link", name=workflow_id)).to_be_visible()
    enrollment = card.get_by_test_id("trace-entry").filter(has_text="enrollments").first
    await expect(enrollment).to_contain_text("mapping builtin:enrollments")
    await shoot(console, "trace-student")


async def test_both_pages_fit_a_phone(
    browser: Browser, api_url: str, engine: Engine, synced: Synced
) -> None:
    [target] = synced.targets
    student = _a_student(engine, synced)
    context, page = await new_page(browser, api_url, engine, viewport=PHONE)
    try:
        await page.goto("/#/flows")
        await page.get_by_role("button", name="last 1h").click()
        edge = page.get_by_test_id("flow-edge").filter(has_text=f"{synced.source} → {target}")
        await expect(edge).to_be_visible()
        await edge.click()  # the list is the easy target for a finger
        await expect(page.get_by_test_id("edge-run")).to_have_count(1)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"data flow: page is {width}px wide"
        await shoot(page, "phone-data-flow")
        await page.goto(f"/#/flows/trace?person={student}")
        await expect(page.get_by_test_id("trace-systems")).to_contain_text(target)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"trace: page is {width}px wide"
        await shoot(page, "phone-trace")
    finally:
        await context.close()
