"""The console in a real browser against the real API, Temporal, Vault and sandbox institution:
the dashboard, an integration's life (create, secret, health check), starting a process and
rotating the signing secrets of a subscriber and of a webhook source, and the live page."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import datetime

import httpx
import pytest
from playwright.async_api import Page, expect
from sqlalchemy.engine import Engine
from sqlmodel import select

from atrium.credentials import Credentials, SecretNotFound
from atrium.db import session_scope
from atrium.models import Subscription, WebhookSource
from atrium.webhook_secrets import WebhookSecrets, source_key
from tests.ui.conftest import SCREENSHOTS, shoot


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


async def test_rotate_a_subscribers_signing_secret_from_its_edit_page(
    console: Page, api: httpx.AsyncClient, engine: Engine, credentials: Credentials
) -> None:
    url = "https://127.0.0.1:9/hook"  # the tests allow subscribers on 127.0.0.1 only
    created = await api.post("/api/v1/subscriptions", json={"url": url, "event_types": ["*"]})
    assert created.status_code == 201, created.text
    sid, old = created.json()["id"], created.json()["secret"]
    before = (await api.get(f"/api/v1/subscriptions/{sid}")).json()
    with session_scope(engine) as session:
        old_name = session.get(Subscription, sid).secret_name  # type: ignore[union-attr]
    try:
        await console.goto(f"/#/subscriptions/{sid}")
        await expect(console.locator("input[name=url]")).to_have_value(url)
        await expect(console.get_by_text("* (every event)")).to_be_visible()  # "*" is a choice
        await console.get_by_role("button", name="Rotate signing secret").click()
        confirm = console.get_by_role("dialog", name="Rotate the signing secret?")
        await expect(confirm).to_contain_text("the subscriber must switch to it")
        await confirm.get_by_role("button", name="Rotate", exact=True).click()
        shown = console.get_by_role("dialog", name=f"New signing secret of subscription {sid}")
        await expect(shown).to_contain_text("Shown once")
        await expect(shown.get_by_test_id("new-secret")).to_have_text(re.compile(r"^\S{32,}$"))
        new = await shown.get_by_test_id("new-secret").inner_text()
        await console.context.grant_permissions(["clipboard-read", "clipboard-write"])
        await shown.get_by_role("button", name="Copy").click()
        await expect(console.get_by_text("Secret copied")).to_be_visible()
        assert await console.evaluate("navigator.clipboard.readText()") == new
        await shoot(console, "subscription-rotate-secret")
        await shown.get_by_role("button", name="Done").click()
        await expect(shown).to_be_hidden()

        # What the dialog showed is what Atrium now signs with; the old secret is gone from Vault.
        assert new != old
        with session_scope(engine) as session:
            new_name = session.get(Subscription, sid).secret_name  # type: ignore[union-attr]
        assert new_name != old_name
        assert (await credentials.read(new_name))["secret"] == new
        with pytest.raises(SecretNotFound):
            await credentials.read(old_name)
        after = (await api.get(f"/api/v1/subscriptions/{sid}")).json()
        changed = datetime.fromisoformat(after["updated_at"])
        assert changed > datetime.fromisoformat(before["updated_at"]) and "secret" not in after
        # Shown once: not on the page again after a reload.
        await console.reload()
        await expect(console.locator("input[name=url]")).to_have_value(url)
        assert new not in await console.content()
    finally:
        await api.delete(f"/api/v1/subscriptions/{sid}")


async def test_rotate_a_webhook_sources_secret_opened_by_its_address(
    console: Page, api: httpx.AsyncClient, engine: Engine, credentials: Credentials
) -> None:
    """Opened straight by URL (a bookmark, a reload), the edit page loads and rotates."""
    name = f"src-{uuid.uuid4().hex[:8]}"
    created = await api.post("/api/v1/webhooks/sources", json={"name": name})
    assert created.status_code == 201, created.text
    old = created.json()["secret"]
    try:
        await console.goto(f"/#/webhook-sources/{name}")
        await expect(console.locator("input[name=name]")).to_have_value(name)
        await console.get_by_role("button", name="Rotate signing secret").click()
        confirm = console.get_by_role("dialog", name="Rotate the signing secret?")
        await expect(confirm).to_contain_text("the sending system must switch")
        await confirm.get_by_role("button", name="Rotate", exact=True).click()
        shown = console.get_by_role("dialog", name=f"New signing secret of {name}")
        await expect(shown.get_by_test_id("new-secret")).to_have_text(re.compile(r"^\S{32,}$"))
        new = await shown.get_by_test_id("new-secret").inner_text()
        await shown.get_by_role("button", name="Done").click()
        await expect(shown).to_be_hidden()
        with session_scope(engine) as session:
            source = session.exec(select(WebhookSource).where(WebhookSource.name == name)).one()
        assert source.secret_name == source_key(name).path
        stored = await WebhookSecrets(credentials).read(source_key(name))
        assert new != old and stored["secret"] == new
    finally:
        await api.delete(f"/api/v1/webhooks/sources/{name}")


async def test_the_live_page_shows_runs_as_they_start_and_end(
    console: Page, api: httpx.AsyncClient
) -> None:
    await console.goto("/#/events")
    live = console.get_by_test_id("live-events")
    await expect(live.get_by_text("as it happens")).to_be_visible()
    await asyncio.sleep(0.5)  # the stream is open: what happens from now on shows
    started = await api.post(
        "/api/v1/runs", json={"process": "integration-health-check-all", "input": {}}
    )
    assert started.status_code in (200, 201), started.text
    workflow_id = started.json()["workflow_id"]
    assert (await wait_closed(api, workflow_id))["status"] == "Completed"
    row = live.locator("li", has_text=workflow_id)
    await expect(row.filter(has_text="run.started")).to_have_count(1)
    await expect(row.filter(has_text="run.completed")).to_have_count(1, timeout=15_000)
    SCREENSHOTS.mkdir(exist_ok=True)  # (not shoot(): the open stream keeps the network busy)
    await console.screenshot(path=SCREENSHOTS / "live.png", full_page=True)
