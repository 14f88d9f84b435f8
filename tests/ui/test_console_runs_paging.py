"""The runs list pages honestly: Temporal's visibility pages by token, and the total the console
shows is Temporal's count of the runs, not a guess from the page size ("1-10 of 10" under 3)."""

from __future__ import annotations

import uuid

import httpx
from playwright.async_api import Page, expect
from sqlalchemy.engine import Engine

from tests.api.test_runs import add_integration
from tests.ui.conftest import shoot
from tests.ui.test_console_flows import wait_closed


async def test_the_pagination_says_how_many_runs_there_are(
    console: Page, api: httpx.AsyncClient, engine: Engine
) -> None:
    name = f"it-{uuid.uuid4().hex[:8]}"
    add_integration(engine, name)
    for _ in range(3):  # three runs of one health check, one after the other
        started = await api.post(
            "/api/v1/runs",
            json={"process": "integration-health-check", "input": {"integration": name}},
        )
        assert started.status_code == 201, started.text
        await wait_closed(api, started.json()["workflow_id"])
    await console.goto(f'/#/runs?filter={{"integration":"{name}"}}')
    rows = console.locator("tbody tr")
    pages = console.locator(".MuiTablePagination-displayedRows")
    for _ in range(20):  # visibility is eventually consistent: reload until all three are listed
        await expect(pages).to_be_visible()
        if await rows.count() == 3:
            break
        await console.reload()
    await expect(rows).to_have_count(3)
    await expect(pages).to_have_text("1-3 of 3")
    await shoot(console, "runs-paged")
    # Two per page: the first page says 1-2 of 3, the next (by token) 3-3 of 3.
    await console.goto(f'/#/runs?filter={{"integration":"{name}"}}&perPage=2&page=1')
    await expect(pages).to_have_text("1-2 of 3")
    await expect(rows).to_have_count(2)
    await console.get_by_role("button", name="Go to next page").click()
    await expect(pages).to_have_text("3-3 of 3")
    await expect(rows).to_have_count(1)
