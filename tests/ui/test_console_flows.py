"""The console in a real browser against the real API, Temporal, Vault and sandbox institution:
the dashboard, an integration's life (create, secret, health check) and starting a process."""

from __future__ import annotations

import asyncio
import re
import uuid

import httpx
from playwright.async_api import Page, expect

from tests.ui.conftest import shoot


async def wait_closed(api: httpx.AsyncClient, workflow_id: str, seconds: float = 30) -> dict:
    for _ in range(int(seconds / 0.2)):
        run = (await api.get(f"/api/v1/runs/{workflow_id}")).json()
        if run["status"] != "Running":
            return run
        await asyncio.sleep(0.2)
    raise AssertionError(f"{workflow_id} still running after {seconds}s")


async def test_dashboard_is_filled_from_the_sandbox(
    console: Page, api: httpx.AsyncClient, sandbox_registered: list[str]
) -> None:
    started = await api.post(
        "/api/v1/runs", json={"process": "integration-health-check-all", "input": {}}
    )
    assert started.status_code in (200, 201), started.text
    assert (await wait_closed(api, started.json()["workflow_id"]))["status"] == "Completed"

    await console.goto("/")
    health = console.get_by_test_id("integration-health")
    # Every sandbox connection has been checked (healthy or not: that is the sandbox's business).
    for name in sandbox_registered:
        await expect(
            health.get_by_text(re.compile(rf"^{name}: (healthy|unhealthy)$"))
        ).to_be_visible()
    await expect(health.get_by_text(re.compile(r": healthy$")).first).to_be_visible()
    totals = console.get_by_test_id("runs-totals")
    await expect(totals).to_contain_text("succeeded")
    assert int((await totals.inner_text()).split(" succeeded")[0]) >= 1  # the check-all run
    await expect(console.locator(".recharts-bar-rectangle").first).to_be_visible()
    await shoot(console, "dashboard")


async def test_create_an_integration_set_and_rotate_its_secret_and_check_it(
    console: Page, api: httpx.AsyncClient, sandbox_url: str
) -> None:
    name = f"sis-{uuid.uuid4().hex[:6]}"
    await console.goto("/#/integrations/create")
    await console.locator("input[name=name]").fill(name)
    await console.get_by_label("System").click()
    await console.get_by_role("option", name="oneroster").click()
    await console.locator("input[name=base_url]").fill(f"{sandbox_url}/oneroster")
    await console.locator("input[name=health_path]").fill(
        "/ims/oneroster/rostering/v1p2/orgs?limit=1"
    )
    await shoot(console, "integration-create")
    await console.get_by_role("button", name="Save").click()

    # The show page: no secret yet.
    await expect(console.get_by_test_id("secret-meta")).to_have_text("No secret set")
    secrets = []
    for version in (1, 2):
        secret = f"s3cr3t-{uuid.uuid4().hex}"
        secrets.append(secret)
        await console.get_by_role(
            "button", name="Rotate secret" if version > 1 else "Set secret"
        ).click()
        await console.get_by_test_id("secret-field-0").fill("token")
        await console.get_by_test_id("secret-value-0").fill(secret)
        assert await console.get_by_test_id("secret-value-0").get_attribute("type") == "password"
        await console.get_by_role("button", name="Save secret").click()
        await expect(console.get_by_test_id("secret-meta")).to_contain_text(f"Version {version}")
    await expect(console.get_by_test_id("secret-meta")).to_contain_text("fields token")
    meta = (await api.get(f"/api/v1/integrations/{name}/secret")).json()
    assert meta["version"] == 2 and meta["fields"] == ["token"]
    # Write-only: the value is nowhere on the page, not even after a reload.
    await console.reload()
    await expect(console.get_by_test_id("secret-meta")).to_contain_text("Version 2")
    html = await console.content()
    assert not any(secret in html for secret in secrets)

    await console.get_by_role("button", name="Run health check now").click()
    await expect(console.get_by_test_id("health-check-finished")).to_contain_text(
        "finished", timeout=30_000
    )
    await expect(console.get_by_test_id("health-panel").locator("tbody tr")).to_have_count(1)
    row = (await api.get(f"/api/v1/integrations/{name}")).json()
    assert row["last_checked_at"] is not None
    await shoot(console, "integration-show")

    await console.goto(f'/#/integrations?filter={{"q":"{name}"}}')  # many exist in a test session
    await expect(console.get_by_text(name)).to_be_visible()
    await shoot(console, "integrations")


async def test_start_a_process_from_its_generated_form_and_watch_it_finish(
    console: Page, api: httpx.AsyncClient, sandbox_registered: list[str]
) -> None:
    target = sandbox_registered[0]
    await console.goto("/#/runs/create")
    await console.get_by_role("combobox", name="Process").click()
    await console.get_by_role("option", name="integration-health-check", exact=True).click()
    # The generated form: the schema's one required field, "integration", as a picker.
    field = console.get_by_test_id("schema-inputs").get_by_label("Integration")
    await field.fill(target)
    await console.get_by_role("option", name=target, exact=True).click()
    await shoot(console, "run-start")
    await console.get_by_role("button", name="Save").click()

    await console.wait_for_url(f"**/#/runs/health-check-{target}/show")
    await expect(console.get_by_test_id("status-chip")).to_have_text("Completed", timeout=30_000)
    await expect(console.get_by_test_id("json-result")).to_contain_text('"healthy": true')
    link = console.get_by_role("link", name="Temporal Web UI")
    assert f"/workflows/health-check-{target}/" in (await link.get_attribute("href") or "")
    await shoot(console, "run-show")

    await console.goto("/#/runs?filter=%7B%22process%22%3A%22integration-health-check%22%7D")
    await expect(console.get_by_text(f"health-check-{target}").first).to_be_visible()
    await shoot(console, "runs")
