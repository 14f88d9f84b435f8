"""The alerts console in a real browser: active, acknowledged and history tabs, acknowledging and
resolving from the list, an alert's deliveries, the rules list; on a desktop and at 360 px."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy.engine import Engine

from atrium.db import session_scope
from atrium.models import Alert, AlertDelivery, AlertRule
from atrium.models.integration import utcnow
from tests.ui.conftest import PHONE, new_page, shoot
from tests.workflows.alert_support import drop_rules


@pytest.fixture
def outage(engine: Engine) -> Iterator[tuple[AlertRule, Alert]]:
    """A disabled rule (no evaluator touches it) and one firing alert of it, with a delivery."""
    rule_set = f"ui-{uuid.uuid4().hex[:6]}"
    with session_scope(engine) as session:
        rule = AlertRule(name=f"ui-rule-{uuid.uuid4().hex[:6]}", rule_set=rule_set,
                         kind="health_down", target="campus-library", enabled=False)  # fmt: skip
        session.add(rule)
        session.commit()
        now = utcnow()
        alert = Alert(rule_id=int(rule.id or 0), rule_name=rule.name,
                      group_key="health:campus-library", summary="campus-library is down: 503",
                      condition_at=now - timedelta(seconds=5), fired_at=now)  # fmt: skip
        session.add(alert)
        session.commit()
        session.add(AlertDelivery(alert_id=int(alert.id or 0), channel="slack",
                                  transition="firing", detail="posted to slack"))  # fmt: skip
        session.commit()
    yield rule, alert
    drop_rules(engine, rule_set)


async def visit(page: Page, route: str) -> None:
    await page.goto(route)
    await page.wait_for_load_state("networkidle")
    await expect(page.locator("#main-content")).to_be_visible()


async def test_acknowledge_then_resolve_from_the_list(
    console: Page, outage: tuple[AlertRule, Alert]
) -> None:
    rule, alert = outage
    await visit(console, "/#/alerts")
    row = console.locator("tbody tr", has_text=rule.name)
    await expect(row).to_be_visible()
    await shoot(console, "alerts-active")
    await row.get_by_role("button", name="Acknowledge").click()
    await expect(row).to_be_hidden()  # it left the active tab
    await console.get_by_role("tab", name="Acknowledged").click()
    row = console.locator("tbody tr", has_text=rule.name)
    await expect(row).to_be_visible()
    await row.get_by_role("button", name="Resolve").click()
    await expect(row).to_be_hidden()
    await console.get_by_role("tab", name="History").click()
    await console.locator("tbody tr", has_text=rule.name).click()
    await expect(console.get_by_text("posted to slack")).to_be_visible()  # its deliveries
    await expect(console.get_by_text("campus-library is down: 503")).to_be_visible()
    await shoot(console, "alerts-show")


async def test_alerts_and_rules_fit_a_phone(
    browser: Browser, api_url: str, engine: Engine, worker: Any, outage: tuple[AlertRule, Alert]
) -> None:
    rule, _ = outage
    context, page = await new_page(browser, api_url, engine, viewport=PHONE)
    try:
        for name, route, needle in (
            ("alerts", "/#/alerts", f"{rule.name}: health:campus-library"),
            ("alert-rules", "/#/alert-rules", rule.name),
        ):
            await visit(page, route)
            await expect(page.get_by_text(needle).first).to_be_visible()
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{name}: page is {width}px wide"
            await expect(page.locator("table")).to_have_count(0)  # SimpleList, not a table
            await shoot(page, f"phone-{name}")
    finally:
        await context.close()
