"""A published designed process started from outside and retried in the console, in a real
browser against the real API, Temporal and the sandbox's Canvas: a signed webhook (a rule naming
``designed:<name>``) and a schedule triggered now each start a run that the versions page lists;
a run failing at an action on a disabled connection is shown step by step, and once the
connection is enabled again it is retried from the failed step in the console and finishes."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect
from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from atrium.credentials import Credentials
from tests.api.designer_support import BASE, designed, eventually, ok  # noqa: F401
from tests.api.webhook_support import add_canvas, signed
from tests.ui.conftest import shoot


def lookup(canvas: str) -> dict[str, Any]:
    """n from the input, then the Canvas account: the action fails while ``canvas`` is off."""
    return {
        "start": "prepare",
        "inputs": {"n": {"type": "integer", "required": False}},
        "steps": [
            {"id": "prepare", "type": "transform", "set": {"n": "input.n"}, "next": "account"},
            {"id": "account", "type": "action", "action": "canvas.get_account",
             "integration": canvas, "output": "acct", "next": "finish"},
            {"id": "finish", "type": "end", "output": {"n": "n", "account": "acct.id"}},
        ],
    }  # fmt: skip


@pytest.fixture
async def canvas(
    engine: Engine, credentials: Credentials, sandbox_url: str, api: httpx.AsyncClient
) -> AsyncIterator[str]:
    """A Canvas connection of this test's own (to the sandbox), removed with its secret."""
    name = await add_canvas(engine, credentials, sandbox_url)
    yield name
    assert (await api.delete(f"/api/v1/integrations/{name}")).status_code in (204, 404)
    await credentials.delete(name)


@pytest.fixture
async def schedule(api: httpx.AsyncClient, temporal_client: Client) -> AsyncIterator[str]:
    name = f"s-{uuid.uuid4().hex[:8]}"
    yield name
    await api.delete(f"/api/v1/schedules/{name}")
    try:
        await temporal_client.get_schedule_handle(f"process:{name}").delete()
    except RPCError as exc:
        assert exc.status == RPCStatusCode.NOT_FOUND


async def open_run(console: Page, process: str, workflow_id: str) -> None:
    """From the versions page: v1's runs, then the run's own page."""
    await console.goto(f"/#/process-definitions/{process}/show")
    # Afresh: on the versions page already, goto does not reload, and "Runs" would close v1's runs.
    await console.reload()
    await console.get_by_test_id("version-1").get_by_role("button", name="Runs").click()
    await console.get_by_test_id("runs-v1").get_by_role("link", name=workflow_id).click()
    await expect(console.get_by_test_id("designed-run")).to_contain_text(workflow_id)


async def test_webhook_and_schedule_runs_are_listed_and_a_failed_run_is_retried(
    console: Page,
    api: httpx.AsyncClient,
    temporal_client: Client,
    canvas: str,
    schedule: str,
    designed: Callable[..., Awaitable[str]],  # noqa: F811
) -> None:
    await ok(api.patch(f"/api/v1/integrations/{canvas}", json={"enabled": False}))
    process = await designed(api, lookup(canvas))

    # A signed webhook starts it, through a rule naming designed:<name>.
    source = f"src-{uuid.uuid4().hex[:8]}"
    created = await ok(api.post("/api/v1/webhooks/sources", json={"name": source}), 201)
    try:
        rule = {"source": source, "event_type": "thing.done", "process": f"designed:{process}",
                "input_mapping": {"n": "data.n"}}  # fmt: skip
        await ok(api.post("/api/v1/webhooks/rules", json=rule), 201)
        event = {"id": f"evt-{uuid.uuid4().hex}", "type": "thing.done", "data": {"n": 5}}
        body, headers = signed(created["secret"], event)
        hooked = await ok(
            api.post(f"/api/v1/webhooks/{source}", content=body, headers=headers), 202
        )
    finally:
        await ok(api.delete(f"/api/v1/webhooks/sources/{source}"), 204)
    webhook_run = hooked["workflow_id"]

    # A schedule triggered now starts it too.
    sched = {"name": schedule, "process": f"designed:{process}", "input": {"n": 7},
             "cron": ["0 3 * * *"]}  # fmt: skip
    await ok(api.post("/api/v1/schedules", json=sched), 201)
    await ok(api.post(f"/api/v1/schedules/{schedule}/trigger", json={}), 202)

    async def scheduled() -> Any:
        return (await ok(api.get(f"/api/v1/schedules/{schedule}")))["recent"] or None

    schedule_run = (await eventually(scheduled))[0]["workflow_id"]
    await ok(api.delete(f"/api/v1/schedules/{schedule}"), 204)

    # Both are on the versions page, and both fail at the action: the connection is off.
    await console.goto(f"/#/process-definitions/{process}/show")
    await console.get_by_test_id("version-1").get_by_role("button", name="Runs").click()
    runs = console.get_by_test_id("runs-v1")
    for workflow_id in (webhook_run, schedule_run):
        row = runs.get_by_role("row").filter(has=console.get_by_role("link", name=workflow_id))
        await expect(row.get_by_test_id("run-status")).to_have_text("Failed", timeout=30_000)
    await shoot(console, "designer-triggered-runs")

    # The webhook's run, step by step: prepare done with its input and output, account failed.
    await open_run(console, process, webhook_run)
    page = console.get_by_test_id("designed-run")
    await expect(page.get_by_test_id("designed-run-status")).to_have_text("Failed")
    await expect(page).to_contain_text(f"webhook:{source}")
    prepare = page.get_by_test_id("run-step-prepare")
    await expect(prepare).to_have_attribute("data-status", "done")
    await expect(prepare).to_contain_text('"n": 5')
    account = page.get_by_test_id("run-step-account")
    await expect(account).to_have_attribute("data-status", "failed")
    await expect(account.get_by_test_id("step-error")).to_contain_text("disabled")
    retry = page.get_by_test_id("retry-run")
    from_failed = retry.get_by_role("button", name="Retry from the failed step (account)")
    await expect(from_failed).to_be_visible()
    await expect(retry.get_by_role("button", name="Retry from the start")).to_be_visible()
    await retry.get_by_label("Earlier step").click()
    await expect(console.get_by_role("option")).to_have_text(["prepare"])
    await console.keyboard.press("Escape")
    await shoot(console, "designer-failed-run")

    # The cause fixed, the run is retried from the failed step and finishes with n kept.
    await ok(api.patch(f"/api/v1/integrations/{canvas}", json={"enabled": True}))
    await from_failed.click()
    run_id = page.get_by_test_id("designed-run-id")
    await expect(run_id).to_have_text(re.compile(r":retry1$"))  # the new run's own page
    retried = await run_id.inner_text()
    await expect(page.get_by_test_id("designed-run-status")).to_have_text(
        "Completed", timeout=30_000
    )
    await expect(page.get_by_test_id("run-step-account")).to_have_attribute("data-status", "done")
    await expect(page.get_by_test_id("run-step-prepare")).to_have_count(0)  # not done again
    await expect(page.get_by_test_id("json-output")).to_contain_text('"n": 5')
    result = await temporal_client.get_workflow_handle(retried).result()
    assert result["output"]["n"] == 5 and result["output"]["account"] is not None

    # The schedule's run, retried from the start in the console, finishes too.
    await open_run(console, process, schedule_run)
    await page.get_by_role("button", name="Retry from the start").click()
    await expect(run_id).to_have_text(re.compile(r":retry1$"))
    await expect(page.get_by_test_id("designed-run-status")).to_have_text(
        "Completed", timeout=30_000
    )
    await expect(page.get_by_test_id("run-step-prepare")).to_have_attribute("data-status", "done")
    await expect(page.get_by_test_id("json-output")).to_contain_text('"n": 7')
