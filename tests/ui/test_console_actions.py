"""The action catalog in the console: each integration's page documents what its system offers,
and the Actions page lists the whole catalog grouped by system."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import Page, expect

from tests.ui.conftest import shoot


async def test_the_canvas_integration_documents_its_actions(
    console: Page, api: httpx.AsyncClient, sandbox_registered: list[str]
) -> None:
    systems = {n: (await api.get(f"/api/v1/integrations/{n}")).json() for n in sandbox_registered}
    [canvas] = [name for name, row in systems.items() if row["system"] == "canvas"]
    await console.goto(f"/#/integrations/{canvas}/show")
    await console.get_by_role("tab", name="Actions").click()
    card = console.locator('[data-testid=action-card][data-action="canvas.create_user"]')
    await expect(card).to_be_visible()
    await expect(card.get_by_test_id("effect-chip")).to_have_text("write")
    await expect(card.get_by_test_id("action-idempotency")).to_contain_text(
        "keyed by new.sis_user_id"
    )
    fields = card.get_by_test_id("action-input-fields")
    unique_id = fields.get_by_role("row").filter(has_text="new.unique_id")
    await expect(unique_id).to_contain_text("string")
    await expect(unique_id).to_contain_text("required")
    email = fields.get_by_role("row").filter(has_text="new.email")
    await expect(email).to_contain_text("optional")
    # Only Canvas's actions: the catalog is read with ?system=canvas.
    catalog = (await api.get("/api/v1/actions", params={"system": "canvas"})).json()
    await expect(console.get_by_test_id("action-card")).to_have_count(len(catalog))
    await shoot(console, "integration-actions")


async def test_the_actions_page_lists_the_catalog_by_system(
    console: Page, api: httpx.AsyncClient
) -> None:
    catalog = (await api.get("/api/v1/actions")).json()
    systems = {a["system"] for a in catalog}
    await console.goto("/#/actions")
    for system in systems:
        section = console.get_by_test_id(f"actions-{system}")
        await expect(section.get_by_role("heading", name=system)).to_be_visible()
        mine = [a for a in catalog if a["system"] == system]
        await expect(section.get_by_test_id("action-card")).to_have_count(len(mine))
    await expect(console.get_by_test_id("action-card")).to_have_count(len(catalog))
    await shoot(console, "actions")
    # An action's own page: its input and output, read-only.
    await console.get_by_role("link", name="canvas.create_user").click()
    await expect(console).to_have_url(re.compile(r"#/actions/canvas\.create_user/show$"))
    await expect(console.get_by_test_id("action-card")).to_have_count(0)  # the list is gone
    await expect(console.get_by_test_id("effect-chip")).to_have_text("write")
    await expect(console.get_by_test_id("action-input-fields").first).to_contain_text("new.name")
    await expect(console.get_by_role("button", name="Edit")).to_have_count(0)
