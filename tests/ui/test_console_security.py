"""The console's Security page: the deployment's findings with their fixes, on a desktop and on a
360 px phone, shown to administrators and auditors only."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy.engine import Engine
from sqlmodel import Session

from atrium.models import Integration
from tests.ui.conftest import PHONE, new_page, shoot

FIX = "change the base URL to https://"


@pytest.fixture
def plain_http_integration(engine: Engine) -> Iterator[str]:
    name = f"ui-sec-{uuid.uuid4().hex[:8]}"
    row = Integration.model_validate(
        {"name": name, "system": "generic", "base_url": "http://library.school.example"}
    )
    with Session(engine, expire_on_commit=False) as session:
        session.add(row)
        session.commit()
    yield name
    with Session(engine) as session:
        found = session.get(Integration, row.id)
        if found is not None:
            session.delete(found)
            session.commit()


async def _open(page: Page) -> None:
    await page.goto("/#/security-findings")
    await expect(page.get_by_test_id("security-summary")).to_be_visible()


async def test_findings_with_their_fix_on_a_desktop(
    browser: Browser, api_url: str, engine: Engine, plain_http_integration: str
) -> None:
    context, page = await new_page(browser, api_url, engine)
    try:
        await expect(page.get_by_role("menuitem", name="Security", exact=True)).to_be_visible()
        await _open(page)
        await expect(page.get_by_test_id("security-summary")).to_contain_text("high")
        row = page.locator("tbody tr", has_text=plain_http_integration)
        await expect(row).to_contain_text("http://library.school.example is plain http")
        await expect(row).to_contain_text(FIX)
        await expect(row.get_by_test_id("severity-chip")).to_have_text("high")
        # Hiding "high" hides the row; hiding "medium" hides the administrators (this one
        # among them) who log in without a second factor.
        await page.get_by_role("button", name="high", exact=True).click()
        await expect(page.locator("tbody tr", has_text=plain_http_integration)).to_have_count(0)
        bare = page.locator("tbody tr", has_text="administrator account without a second factor")
        await expect(bare.first).to_be_visible()
        await page.get_by_role("button", name="medium", exact=True).click()
        await expect(bare).to_have_count(0)
        await shoot(page, "screen-security")
    finally:
        await context.close()


async def test_findings_on_a_phone(
    browser: Browser, api_url: str, engine: Engine, plain_http_integration: str
) -> None:
    context, page = await new_page(browser, api_url, engine, viewport=PHONE)
    try:
        await _open(page)
        item = page.locator("li", has_text=plain_http_integration)
        await expect(item).to_contain_text(FIX)
        await expect(page.locator("table")).to_have_count(0)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width}px wide"
        await shoot(page, "phone-security")
    finally:
        await context.close()


@pytest.mark.parametrize(("role", "shown"), [("auditor", True), ("leader", False)])
async def test_menu_entry_follows_the_role(
    browser: Browser, api_url: str, engine: Engine, role: str, shown: bool
) -> None:
    context, page = await new_page(browser, api_url, engine, role=role)
    try:
        entry = page.get_by_role("menuitem", name="Security", exact=True)
        if shown:
            await expect(entry).to_be_visible()
            await _open(page)
        else:
            await expect(page.get_by_role("menuitem").first).to_be_visible()
            await expect(entry).to_have_count(0)
    finally:
        await context.close()
