"""The process designer in a real browser against the real API, Temporal and the sandbox's Canvas:
a process with a branch, a for-each and an approval is drawn from the palette, fixed where live
validation says (step and field), published, started, approved in the console by a second person
of the approval's role (not the starter), and seen finishing; a second version is compared with
the first; on a phone the designer is view-only."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator

import httpx
import pytest
from playwright.async_api import Browser, Page, expect
from playwright.async_api import TimeoutError as PlaywrightTimeout
from sqlalchemy.engine import Engine
from sqlmodel import col, delete

from atrium.db import session_scope
from atrium.models.process_definition import ProcessDefinitionRow, ProcessVersion
from connectors.canvas import CanvasClient
from connectors.canvas.requester import sis
from connectors.credentials import static_credentials
from tests.sandbox.control import credentials_of
from tests.ui.conftest import PHONE, new_page, shoot


@pytest.fixture
def process_name(engine: Engine) -> Iterator[str]:
    """A fresh name; its definition and versions are removed afterwards."""
    name = f"onboard-{uuid.uuid4().hex[:8]}"
    yield name
    with session_scope(engine) as session:
        session.exec(delete(ProcessVersion).where(col(ProcessVersion.name) == name))  # type: ignore[call-overload]
        session.exec(delete(ProcessDefinitionRow).where(col(ProcessDefinitionRow.name) == name))  # type: ignore[call-overload]
        session.commit()


async def pick(page: Page, label: str, option: str) -> None:
    """Choose ``option`` in the MUI select labelled ``label`` of the step form."""
    form = page.get_by_test_id("step-form").or_(page.get_by_test_id("process-settings"))
    choice = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):  # a click landing while the form re-renders may not open the menu
        await form.get_by_label(label, exact=True).click()
        try:
            await choice.wait_for(timeout=3000)
            break
        except PlaywrightTimeout:
            await page.keyboard.press("Escape")
    await choice.click()
    await expect(page.get_by_role("listbox")).to_have_count(0)


async def fill(page: Page, label: str, text: str) -> None:
    form = page.get_by_test_id("step-form").or_(page.get_by_test_id("process-settings"))
    await form.get_by_label(label, exact=True).fill(text)


async def select_step(page: Page, step: str) -> None:
    """Clicks a step's node until its form opens: a designer just opened lays its graph out and
    fits it to the pane after the first paint, so a click in that moment can land where the node
    was (CI once saw exactly that: the form never opened)."""
    form_id = page.get_by_test_id("step-form").get_by_label("id", exact=True)
    for _ in range(4):
        await page.get_by_test_id(f"step-node-{step}").click()
        try:
            await expect(form_id).to_have_value(step, timeout=2_500)
            return
        except AssertionError:
            await page.wait_for_timeout(500)
    await expect(form_id).to_have_value(step)


async def done(page: Page) -> None:
    await page.get_by_test_id("step-form").get_by_role("button", name="Done").click()
    await expect(page.get_by_test_id("process-settings")).to_be_visible()


async def draw_onboarding(page: Page) -> None:
    """Onboarding as tests/atrium/designer/samples.py has it, drawn from the palette: if there
    are students, a secretary approves, then a Canvas user is created for each."""
    await fill(page, "inputs", '{"students": {"type": "array"}}')

    await page.get_by_role("button", name="Add Condition").click()
    await fill(page, "when", "length(input.students) > `0`")

    # Added while the condition is selected: the condition goes on to it.
    await page.get_by_role("button", name="Add Approval").click()
    await fill(page, "name", "Registrar approves the accounts")
    await fill(page, "prompt", "Create Canvas accounts for these students?")
    await pick(page, "assignee_role", "secretary")
    await fill(page, "output", "decision")

    await page.get_by_role("button", name="Add For each").click()
    await fill(page, "items", "input.students")
    await fill(page, "item", "student")
    await fill(page, "collect", "user.sis_user_id")
    await fill(page, "output", "created")
    await done(page)

    # The for-each's body: an action from the palette, its form generated from its input schema.
    await page.get_by_test_id("palette").get_by_label("Find an action").fill("create_user")
    await page.get_by_role("button", name="Add canvas.create_user").click()
    node = page.get_by_test_id("step-node-create_user")
    # Live validation: the API names the step and the field still missing.
    await expect(node).to_contain_text("integration: Field required")
    await expect(page.get_by_role("button", name="Publish")).to_be_disabled()
    await pick(page, "integration", "canvas")
    await done(page)
    await select_step(page, "for_each")
    await pick(page, "body", "create_user")
    # Now the definition has its shape, the action's arguments are checked against its schema.
    await expect(node).to_contain_text("input.new: required: give it in input or bind")
    await expect(page.get_by_test_id("problems")).to_contain_text("create_user · input.new")

    await select_step(page, "create_user")
    await fill(page, "new.name", "=join(' ', [student.given, student.family])")
    await fill(page, "new.unique_id", "=student.login")
    await fill(page, "new.sis_user_id", "=student.id")
    await fill(page, "output", "user")
    await expect(node).to_have_attribute("data-problems", "0")

    await select_step(page, "for_each")
    await page.get_by_role("button", name="Add End").click()
    await fill(page, "output", "created = created\napproved_by = decision.by")
    await done(page)

    # The other branch: no students, nothing to do.
    await page.get_by_role("button", name="Add End").click()
    await fill(page, "output", "created = `0`")
    await select_step(page, "condition")
    await pick(page, "otherwise", "end_2")
    await done(page)


async def test_design_publish_start_approve_and_finish_a_process(
    console: Page,
    browser: Browser,
    api_url: str,
    api: httpx.AsyncClient,
    engine: Engine,
    sandbox_url: str,
    process_name: str,
) -> None:
    await console.goto("/#/process-definitions/create")
    await console.locator("input[name=name]").fill(process_name)
    await console.locator("input[name=description]").fill("Canvas accounts for new students")
    await console.get_by_role("button", name="Save").click()
    await expect(console.get_by_test_id("designer")).to_be_visible()

    await draw_onboarding(console)
    await expect(console.get_by_test_id("problems")).to_have_text(
        "No problems: ready to publish.", timeout=10_000
    )
    for step in ("condition", "approval", "for_each", "create_user", "end", "end_2"):
        await expect(console.get_by_test_id(f"step-node-{step}")).to_have_attribute(
            "data-problems", "0"
        )
    # One edge per route: next, otherwise, body (React Flow draws them once the layout is done).
    await expect(console.locator(".react-flow__edge")).to_have_count(5)
    await shoot(console, "designer")

    await console.get_by_role("button", name="Publish").click()
    await expect(console.get_by_text("Published version 1")).to_be_visible()
    stored = (await api.get(f"/api/v1/process-definitions/{process_name}/versions/1")).json()
    steps = {s["id"]: s for s in stored["definition"]["steps"]}
    assert steps["condition"]["next"] == "approval" and steps["condition"]["otherwise"] == "end_2"
    assert steps["for_each"]["body"] == "create_user" and steps["for_each"]["next"] == "end"
    assert steps["create_user"]["bind"]["new.unique_id"] == "student.login"

    # Started by the designer (an administrator) from the version history.
    await console.get_by_role("link", name="Versions and runs").click()
    await console.get_by_test_id("version-1").get_by_role("button", name="Start run").click()
    run_input = console.locator("[data-field=run-input]")
    await expect(run_input).to_have_value(re.compile("students"))
    students = [
        {"id": f"DS{uuid.uuid4().hex[:8]}", "given": "Ada", "family": "Lovelace"} for _ in range(2)
    ]
    for student in students:
        student["login"] = f"{student['id'].lower()}@x.edu"
    await run_input.fill(json.dumps({"students": students}))
    await console.get_by_role("dialog").get_by_role("button", name="Start").click()
    await expect(console.get_by_text(re.compile(r"^Started designed:"))).to_be_visible()
    runs = console.get_by_test_id("runs-v1")
    await expect(runs.get_by_test_id("run-status")).to_have_text("Running")
    workflow_id = (await runs.get_by_role("link").first.inner_text()).strip()

    # The starter is not asked to approve their own run.
    await console.goto("/#/approvals")
    await expect(console.get_by_test_id("approvals")).to_be_visible()
    await expect(console.get_by_text("Registrar approves the accounts")).to_have_count(0)

    # A secretary sees it waiting and approves.
    context, secretary = await new_page(browser, api_url, engine, role="secretary")
    try:
        await secretary.goto("/#/approvals")
        card = secretary.get_by_test_id(f"decision-{workflow_id}-approval")
        await expect(card).to_contain_text("Create Canvas accounts for these students?")
        await shoot(secretary, "designer-approval")
        await card.get_by_label("Comment").fill("welcome")
        await card.get_by_role("button", name="Approve").click()
        await expect(card).to_have_count(0)
    finally:
        await context.close()

    await console.goto(f"/#/process-definitions/{process_name}/show")
    await console.get_by_test_id("version-1").get_by_role("button", name="Runs").click()
    await expect(console.get_by_test_id("runs-v1").get_by_test_id("run-status")).to_have_text(
        "Completed", timeout=30_000
    )
    run = (await api.get(f"/api/v1/runs/{workflow_id}")).json()
    assert run["result"]["output"]["created"] == [s["id"] for s in students]
    assert run["result"]["output"]["approved_by"].startswith("secretary-")
    secret = static_credentials(await credentials_of(sandbox_url, "canvas"))
    async with CanvasClient(f"{sandbox_url}/canvas", secret) as canvas:
        for student in students:
            assert (await canvas.get_user(sis("user", student["id"]))).name == "Ada Lovelace"

    # The version history counts the run; a second version is compared with the first.
    for _ in range(30):
        await console.reload()
        count = console.get_by_test_id("runs-count-1")
        await expect(count).to_be_visible()
        if (await count.inner_text()) == "1":
            break
        await console.wait_for_timeout(500)
    await expect(console.get_by_test_id("runs-count-1")).to_have_text("1")
    await console.get_by_role("link", name="Open the designer").click()
    await select_step(console, "approval")
    await fill(console, "prompt", "Create these Canvas accounts now?")
    await console.get_by_role("button", name="Publish").click()
    await expect(console.get_by_text("Published version 2")).to_be_visible()
    await console.get_by_role("link", name="Versions and runs").click()
    diff = console.get_by_test_id("version-diff")
    await expect(diff.get_by_test_id("diff-step-approval")).to_contain_text("changed")
    await expect(diff).to_contain_text("Create these Canvas accounts now?")
    await shoot(console, "designer-versions")


async def test_on_a_phone_the_designer_is_view_only_and_readable(
    browser: Browser, api_url: str, api: httpx.AsyncClient, engine: Engine, process_name: str
) -> None:
    draft = {
        "start": "ask",
        "steps": [
            {"id": "ask", "type": "approval", "assignee_role": "secretary", "prompt": "ok?",
             "on_rejected": "stop", "next": "finish"},
            {"id": "stop", "type": "fail", "message": "rejected"},
            {"id": "finish", "type": "end"},
        ],
    }  # fmt: skip
    created = await api.post(
        "/api/v1/process-definitions", json={"name": process_name, "draft": draft}
    )
    assert created.status_code == 201, created.text
    context, page = await new_page(browser, api_url, engine, viewport=PHONE)
    try:
        await page.goto(f"/#/process-definitions/{process_name}")
        await expect(page.get_by_test_id("designer-readonly")).to_be_visible()
        await expect(page.get_by_test_id("step-card-ask")).to_contain_text("rejected: stop")
        await expect(page.get_by_test_id("step-node-finish")).to_be_visible()
        for button in ("Publish", "Save draft"):
            await expect(page.get_by_role("button", name=button)).to_have_count(0)
        await expect(page.get_by_test_id("palette")).to_have_count(0)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page scrolls sideways: {width}px"
        await shoot(page, "designer-phone")
    finally:
        await context.close()
