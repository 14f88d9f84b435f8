"""Runs drawn on the designer's graph, in a real browser against the real API, Temporal and the
sandbox's Canvas: a published process opened in the designer is dry-run (its read performed, its
write skipped with the sample given) and every step node shows its status, a click on a node its
input and output; a test run from the designer fails at an action on a disabled connection, and
on the run's page it is retried from an earlier step chosen on the graph (the steps to run again
listed and outlined) and finishes, that step done again. On a phone a run's drawing is readable."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, ConsoleMessage, Locator, Page, expect
from sqlalchemy.engine import Engine
from temporalio.client import Client

from atrium.credentials import Credentials
from tests.api.designer_support import BASE, ECHO, designed, ok  # noqa: F401
from tests.api.webhook_support import add_canvas
from tests.ui.conftest import PHONE, new_page

# Temporal, the worker and the browser share two cores with other suites: generous waits.
RUN_SECONDS = 60_000
WAIT = 20_000  # for what follows an API answer (a page opened, a run read)


def enrol(canvas: str) -> dict[str, Any]:
    """n kept, the Canvas account read; a Canvas user created only when the input asks for one."""
    return {
        "start": "prepare",
        "inputs": {"n": {"type": "integer"}, "create": {"type": "boolean"}},
        "steps": [
            {"id": "prepare", "type": "transform", "set": {"n": "input.n"}, "next": "account"},
            {"id": "account", "type": "action", "action": "canvas.get_account",
             "integration": canvas, "output": "acct", "next": "check"},
            {"id": "check", "type": "condition", "when": "input.create",
             "then": "create_user", "otherwise": "finish"},
            {"id": "create_user", "type": "action", "action": "canvas.create_user",
             "integration": canvas, "output": "user", "next": "finish",
             "bind": {"new.name": "'Dry Run'", "new.unique_id": "'dry@x.edu'",
                      "new.sis_user_id": "'DRY1'"}},
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


async def shoot(page: Page, folder: Path, name: str) -> Path:
    """A full-page screenshot into the test's own tmp folder."""
    path = folder / f"{name}.png"
    await page.wait_for_load_state("networkidle")
    await page.screenshot(path=path, full_page=True)
    return path


async def open_step(page: Page, graph: Locator, step: str) -> Locator:
    """Clicks a step's node until its panel shows that step: a graph just drawn is laid out and
    fitted to its pane after the first paint, so a click in that moment can miss the node."""
    panel = graph.get_by_test_id("step-panel")
    for _ in range(4):
        await graph.get_by_test_id(f"step-node-{step}").click()
        try:
            await expect(panel).to_have_attribute("data-step", step, timeout=2_500)
            return panel
        except AssertionError:
            await page.wait_for_timeout(500)
    await expect(panel).to_have_attribute("data-step", step)
    return panel


async def expect_statuses(graph: Locator, statuses: dict[str, str]) -> None:
    for step, status in statuses.items():
        node = graph.get_by_test_id(f"step-node-{step}")
        await expect(node).to_have_attribute("data-run-status", status, timeout=RUN_SECONDS)


async def try_run(page: Page, kind: str, run_input: str, samples: str | None = None) -> Locator:
    """From the designer: a dry or test run of v1 on this input; its drawing once it is there."""
    await page.get_by_role("button", name=kind, exact=True).click()
    dialog = page.get_by_role("dialog")
    await expect(dialog.get_by_test_id("try-version")).to_have_value("1", timeout=WAIT)
    given = dialog.locator("[data-field=try-input]")
    await expect(given).to_have_value(re.compile('"n"'), timeout=WAIT)  # v1's inputs' skeleton
    await given.fill(run_input)
    if samples is not None:
        await dialog.locator("[data-field=try-samples]").fill(samples)
    await dialog.get_by_role("button", name="Run", exact=True).click()
    await expect(dialog).to_have_count(0, timeout=RUN_SECONDS)  # a dry run answers once done
    trial = page.get_by_test_id("trial-view")
    await expect(trial.get_by_test_id("trial-title")).to_have_text(f"{kind} of v1", timeout=WAIT)
    return trial


async def test_dry_and_test_runs_are_drawn_and_a_failed_run_is_retried_from_an_earlier_step(
    console: Page,
    api: httpx.AsyncClient,
    temporal_client: Client,
    canvas: str,
    designed: Callable[..., Awaitable[str]],  # noqa: F811
    tmp_path: Path,
) -> None:
    process = await designed(api, enrol(canvas))
    # A render loop shows as React's error in the console (the page itself shows its fallback).
    errors: list[str] = []

    def react_error(message: ConsoleMessage) -> None:
        if message.type == "error" and "React" in message.text:
            errors.append(message.text)

    console.on("pageerror", lambda error: errors.append(str(error)))
    console.on("console", react_error)
    await console.goto(f"/#/process-definitions/{process}")
    await expect(console.get_by_test_id("designer")).to_be_visible(timeout=WAIT)
    await expect(console.get_by_test_id("step-node-create_user")).to_be_visible(timeout=WAIT)

    # A dry run: the read is performed, the write skipped and answered with the sample.
    trial = await try_run(
        console, "Dry run", '{"n": 3, "create": true}', '{"create_user": {"id": 42}}'
    )
    await expect(trial.get_by_test_id("trial-status")).to_have_text("Completed", timeout=WAIT)
    await expect_statuses(
        trial,
        {"prepare": "done", "account": "done", "check": "done", "create_user": "skipped",
         "finish": "done"},
    )  # fmt: skip
    await expect(trial.get_by_test_id("step-node-create_user")).to_contain_text("skipped (sample)")
    await expect(trial.get_by_test_id("step-node-account")).to_contain_text("done")
    panel = await open_step(console, trial, "account")
    await expect(panel.get_by_test_id("json-step-output")).to_contain_text('"id"')
    panel = await open_step(console, trial, "check")
    await expect(panel).to_contain_text("went on to create_user")
    panel = await open_step(console, trial, "create_user")
    await expect(panel.get_by_test_id("step-panel-status")).to_have_text("skipped (sample)")
    await expect(panel.get_by_test_id("json-step-input")).to_contain_text('"sis_user_id": "DRY1"')
    await expect(panel.get_by_test_id("json-step-output")).to_contain_text('"id": 42')
    await expect(trial.get_by_test_id("json-run-output")).to_contain_text('"n": 3')
    await shoot(console, tmp_path, "dry-run-drawn")

    # A test run on the same connection, switched off: it fails at the read.
    await ok(api.patch(f"/api/v1/integrations/{canvas}", json={"enabled": False}))
    await trial.get_by_role("button", name="Back to the design").click()
    trial = await try_run(console, "Test run", '{"n": 5, "create": false}')
    await expect(trial.get_by_test_id("trial-status")).to_have_text("Failed", timeout=RUN_SECONDS)
    await expect_statuses(
        trial,
        {"prepare": "done", "account": "failed", "check": "not reached",
         "create_user": "not reached", "finish": "not reached"},
    )  # fmt: skip
    panel = await open_step(console, trial, "account")
    await expect(panel.get_by_test_id("step-panel-error")).to_contain_text("disabled")
    await shoot(console, tmp_path, "test-run-failed")

    # Its own page draws it the same way; an earlier step is chosen on the graph for the retry.
    await trial.get_by_role("link", name="The run's page").click()
    page = console.get_by_test_id("designed-run")
    await expect(page.get_by_test_id("designed-run-status")).to_have_text("Failed", timeout=WAIT)
    failed_id = (await page.get_by_test_id("designed-run-id").inner_text()).strip()
    graph = page.get_by_test_id("run-graph")
    await expect_statuses(graph, {"prepare": "done", "account": "failed"})
    panel = await open_step(console, graph, "prepare")
    await expect(panel.get_by_test_id("json-step-output")).to_contain_text('"n": 5')
    await panel.get_by_role("button", name="Choose for the retry").click()
    retry = page.get_by_test_id("retry-run")
    await expect(retry.get_by_test_id("retry-step")).to_have_value("prepare")
    await expect(retry.get_by_test_id("retry-redone")).to_contain_text(
        "prepare → account → check → create_user → finish"
    )
    for step in ("prepare", "account", "check", "create_user", "finish"):
        await expect(graph.get_by_test_id(f"step-node-{step}")).to_have_attribute(
            "data-marked", "redo"
        )
    await shoot(console, tmp_path, "retry-from-an-earlier-step")

    # The cause fixed, the retry from prepare finishes: prepare done again, the write not reached.
    await ok(api.patch(f"/api/v1/integrations/{canvas}", json={"enabled": True}))
    await retry.get_by_role("button", name="Retry from step…").click()
    run_id = page.get_by_test_id("designed-run-id")
    await expect(run_id).to_have_text(re.compile(r":retry1$"), timeout=WAIT)
    retried = (await run_id.inner_text()).strip()
    assert retried != failed_id
    await expect(page.get_by_test_id("designed-run-status")).to_have_text(
        "Completed", timeout=RUN_SECONDS
    )
    await expect_statuses(
        page.get_by_test_id("run-graph"),
        {"prepare": "done", "account": "done", "check": "done", "create_user": "not reached",
         "finish": "done"},
    )  # fmt: skip
    await expect(page.get_by_test_id("run-step-prepare")).to_have_attribute("data-status", "done")
    await shoot(console, tmp_path, "retried-run")
    result = await temporal_client.get_workflow_handle(retried).result()
    assert result["output"]["n"] == 5 and result["output"]["account"] is not None
    assert not errors, errors


async def test_on_a_phone_a_runs_drawing_is_readable(
    browser: Browser,
    api_url: str,
    api: httpx.AsyncClient,
    engine: Engine,
    designed: Callable[..., Awaitable[str]],  # noqa: F811
    tmp_path: Path,
) -> None:
    process = await designed(api, ECHO)
    dry = await ok(api.post(f"{BASE}/{process}/versions/1/dry-run", json={"input": {"n": 4}}))
    assert dry["status"] == "completed", dry
    context, page = await new_page(browser, api_url, engine, viewport=PHONE)
    try:
        run_id = urllib.parse.quote(dry["workflow_id"], safe="")
        await page.goto(f"/#/process-definitions/{process}/runs/{run_id}")
        graph = page.get_by_test_id("run-graph")
        await expect_statuses(graph, {"compute": "done", "finish": "done"})
        await expect(page.get_by_test_id("designed-run")).to_contain_text("dry run", timeout=WAIT)
        panel = await open_step(page, graph, "compute")
        await expect(panel.get_by_test_id("json-step-output")).to_contain_text("4")
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page scrolls sideways: {width}px"
        await shoot(page, tmp_path, "run-drawn-on-a-phone")
    finally:
        await context.close()
