"""The console's Capacity page: each piece of advice with its reasoning, the queues and the
connections' figures, on a desktop and on a 360 px phone; shown to administrators and auditors
(metrics:read), not to leaders."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy.engine import Engine
from sqlmodel import Session

from atrium.capacity.usage import WAIT_BUCKETS, hour_of
from atrium.models.capacity import CapacityUsage
from tests.atrium.capacity.support import removed, tag
from tests.ui.conftest import PHONE, new_page, shoot


@pytest.fixture
def throttled(engine: Engine) -> Iterator[str]:
    """A connection the target refused 9 times of 40 this hour (as the roll-up writes it)."""
    name = f"ui-cap-{tag()}"
    waits = [0] * (len(WAIT_BUCKETS) + 1)
    waits[0] = 40
    with removed(engine, [name], []):
        with Session(engine) as session:
            session.add(
                CapacityUsage(
                    hour=hour_of(datetime.now(UTC)),
                    integration=name,
                    calls=40,
                    throttled=9,
                    waits=waits,
                )
            )
            session.commit()
        yield name


async def _open(page: Page) -> None:
    await page.goto("/#/capacity")
    await expect(page.get_by_test_id("capacity-summary")).to_be_visible()


async def test_advice_with_its_reasoning_on_a_desktop(
    browser: Browser, api_url: str, engine: Engine, throttled: str
) -> None:
    context, page = await new_page(browser, api_url, engine)
    try:
        await expect(page.get_by_role("menuitem", name="Capacity")).to_be_visible()
        await _open(page)
        await expect(page.get_by_test_id("capacity-summary")).to_contain_text("to act on")
        card = page.get_by_test_id("capacity-advice").filter(has_text=throttled)
        await expect(card).to_contain_text(f"{throttled} is throttled by the target (9 429s")
        await expect(card).to_contain_text("9 of 40 calls in the last 24 h were answered 429")
        await expect(page.locator("tbody tr", has_text=throttled)).to_contain_text("40")
        await shoot(page, "screen-capacity")
    finally:
        await context.close()


async def test_advice_on_a_phone(
    browser: Browser, api_url: str, engine: Engine, throttled: str
) -> None:
    context, page = await new_page(browser, api_url, engine, viewport=PHONE)
    try:
        await _open(page)
        card = page.get_by_test_id("capacity-advice").filter(has_text=throttled)
        await expect(card).to_contain_text("throttled by the target")
        await expect(page.locator("li", has_text=throttled).last).to_contain_text("9 × 429")
        await expect(page.locator("table")).to_have_count(0)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width}px wide"
        await shoot(page, "phone-capacity")
    finally:
        await context.close()


@pytest.mark.parametrize(("role", "shown"), [("auditor", True), ("leader", False)])
async def test_menu_entry_follows_the_role(
    browser: Browser, api_url: str, engine: Engine, role: str, shown: bool
) -> None:
    context, page = await new_page(browser, api_url, engine, role=role)
    try:
        entry = page.get_by_role("menuitem", name="Capacity")
        if shown:
            await expect(entry).to_be_visible()
            await _open(page)
        else:
            await expect(page.get_by_role("menuitem").first).to_be_visible()
            await expect(entry).to_have_count(0)
    finally:
        await context.close()
