"""The sync engine's screens in a real browser: resolve a conflict, start a roster sync and watch
it finish, dry-run a mapping. Each needs its API; without it the test names the missing route."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
from playwright.async_api import Page, expect
from sqlalchemy.engine import Engine

from tests.ui.conftest import shoot


async def require_route(api: httpx.AsyncClient, path: str) -> None:
    assert (await api.get(path)).status_code != 404, f"GET {path} answers 404"


async def test_resolve_a_conflict_by_keeping_one_side(
    console: Page, api: httpx.AsyncClient, engine: Engine, silent_url: str
) -> None:
    await require_route(api, "/api/v1/conflicts")
    from atrium.db import session_scope
    from atrium.models import Integration, SyncConflict

    # A run that is still going (a health check of a system that never answers) stands in for the
    # two-way sync waiting on the administrator: resolving signals it.
    name = f"hung-{uuid.uuid4().hex[:6]}"
    with session_scope(engine) as session:
        session.add(
            Integration(
                name=name, system="generic", base_url=silent_url, health_path="/", description=""
            )
        )
        session.commit()
    check = {"process": "integration-health-check", "input": {"integration": name}}
    run = (await api.post("/api/v1/runs", json=check)).json()
    person = f"p-{uuid.uuid4().hex[:6]}"
    with session_scope(engine) as session:
        row = SyncConflict(
            integration="sis-canvas", record_type="profiles", source_id=person,
            field="preferred_name", workflow_id=run["workflow_id"], key=f"ui-test|{person}",
            values={"base": "Ada", "sis": "Ada L.", "canvas": "Ada Lovelace"},
        )  # fmt: skip
        session.add(row)
        session.commit()
        conflict_id = row.id
    try:
        await console.goto("/#/conflicts")
        await console.get_by_text(person).first.click()
        sides = console.get_by_test_id("conflict-sides")
        await expect(sides).to_contain_text("Ada L.")
        await expect(sides).to_contain_text("Ada Lovelace")
        await shoot(console, "conflict-show")
        await console.get_by_role("button", name="Keep canvas").click()
        await expect(console.get_by_test_id("conflict-resolved")).to_contain_text("Ada Lovelace")
        resolved = (await api.get(f"/api/v1/conflicts/{conflict_id}")).json()
        assert resolved["status"] == "resolved" and resolved["resolved_value"] == "Ada Lovelace"
        await shoot(console, "conflict-resolved")
    finally:
        await api.post(f"/api/v1/runs/{run['workflow_id']}/cancel")


def roster_sync(processes: list[dict[str, Any]]) -> dict[str, Any]:
    found = [p for p in processes if p["name"].startswith("roster-sync")]
    assert found, "no roster-sync process in GET /api/v1/processes (workflows/registry.py)"
    return found[0]


# Which sandbox connection fills a roster sync's input field, by the field's name.
FIELD_VALUES = {"integration": "canvas", "source": "sis", "target": "canvas"}


async def test_start_a_roster_sync_and_watch_it_finish(
    console: Page, api: httpx.AsyncClient, sandbox_registered: list[str]
) -> None:
    process = roster_sync((await api.get("/api/v1/processes")).json())
    schema = process["input_schema"]
    await console.goto("/#/runs/create")
    await console.get_by_role("combobox", name="Process").click()
    await console.get_by_role("option", name=process["name"], exact=True).click()
    form = console.get_by_test_id("schema-inputs")
    for field in schema.get("required", []):
        prop = schema["properties"][field]
        label = prop.get("title", field)
        value = FIELD_VALUES.get(field)
        assert value, f"no value for {process['name']}'s required field {field!r}"
        # Fields naming a connection are pickers over the inventory.
        await form.get_by_role("combobox", name=re.compile(f"^{label}")).fill(value)
        await console.get_by_role("option", name=value, exact=True).click()
    await shoot(console, "roster-sync-start")
    await console.get_by_role("button", name="Save").click()
    await console.wait_for_url("**/show")
    await expect(console.get_by_test_id("status-chip")).to_have_text("Completed", timeout=90_000)
    await shoot(console, "roster-sync-finished")


async def test_dry_run_a_mapping_before_saving(console: Page, api: httpx.AsyncClient) -> None:
    await require_route(api, "/api/v1/mappings")
    name = f"people-{uuid.uuid4().hex[:6]}"
    await console.goto("/#/mappings/create")
    await console.locator("input[name=name]").fill(name)
    await console.get_by_role("combobox", name="Record type").click()
    await console.get_by_role("option", name="users", exact=True).click()
    await console.get_by_role("button", name="Dry run").click()
    await expect(console.get_by_test_id("dry-run-result").first).to_be_visible()
    await shoot(console, "mapping-dry-run")
    # A dry run saves nothing.
    assert (await api.get(f"/api/v1/mappings/{name}")).status_code == 404
