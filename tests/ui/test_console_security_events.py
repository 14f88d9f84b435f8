"""The console's Security events page: what threat detection noticed, with severity chips, a
severity filter and an Acknowledge button (security:manage), on a desktop and on a 360 px phone;
an auditor reads the page but has no button."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy.engine import Engine
from sqlmodel import col, delete, select

from atrium.db import session_scope
from atrium.models import SecurityEvent
from atrium.models.integration import utcnow
from tests.ui.conftest import PHONE, new_page, shoot

SUSPENDED = "API key 7 (atr_abcdefgh) suspended until resumed"


def _event(subject: str, kind: str, severity: str, summary: str) -> SecurityEvent:
    now, high = utcnow(), severity == "high"
    return SecurityEvent(
        kind=kind, severity=severity, subject=subject, summary=summary,
        details={}, response="suspend_key" if high else "none",
        response_detail=SUSPENDED if high else "",
        first_seen=now - timedelta(minutes=1), created_at=now,
        dedup_key=f"{kind}:{subject}:{uuid.uuid4().hex}",
    )  # fmt: skip


@pytest.fixture
def events(engine: Engine) -> Iterator[tuple[str, str]]:
    """A high and a low event about subjects of their own: (high subject, low subject)."""
    tag = uuid.uuid4().hex[:8]
    high, low = f"api-key:ui-{tag}", f"reader-ui-{tag}"
    with session_scope(engine) as session:
        session.add(_event(high, "api_key_new_network", "high", f"{high} used from 198.18.7.0/24"))
        session.add(_event(low, "export_volume", "low", f"{low} read 900 records"))
        session.commit()
    yield high, low
    with session_scope(engine) as session:
        subjects = [high, low]
        session.exec(delete(SecurityEvent).where(col(SecurityEvent.subject).in_(subjects)))  # type: ignore[call-overload]
        session.commit()


async def _open(page: Page) -> None:
    await page.goto("/#/security-events")
    await expect(page.get_by_role("tab", name="Open")).to_be_visible()


def _acknowledged_by(engine: Engine, subject: str) -> str | None:
    with session_scope(engine) as session:
        row = session.exec(select(SecurityEvent).where(SecurityEvent.subject == subject)).one()
        return row.acknowledged_by


async def test_events_filtered_by_severity_and_acknowledged_on_a_desktop(
    browser: Browser, api_url: str, engine: Engine, events: tuple[str, str]
) -> None:
    high, low = events
    context, page = await new_page(browser, api_url, engine)
    try:
        await page.get_by_role("menuitem", name="Security events").click()
        await expect(page.get_by_role("tab", name="Open")).to_be_visible()
        row = page.locator("tbody tr", has_text=high)
        await expect(row.get_by_test_id("severity-chip")).to_have_text("high")
        await expect(row).to_contain_text("suspend_key: API key 7")
        await expect(
            page.locator("tbody tr", has_text=low).get_by_test_id("severity-chip")
        ).to_have_text("low")
        await page.get_by_test_id("severity-filter-high").click()
        await expect(page.locator("tbody tr", has_text=low)).to_have_count(0)
        await expect(row).to_be_visible()
        await shoot(page, "screen-security-events")
        await row.get_by_role("button", name="Acknowledge").click()
        await expect(page.locator("tbody tr", has_text=high)).to_have_count(0)  # not open now
        assert _acknowledged_by(engine, high) is not None
        await page.get_by_role("tab", name="Acknowledged").click()
        done = page.locator("tbody tr", has_text=high)
        await expect(done).to_be_visible()
        await expect(done.get_by_role("button", name="Acknowledge")).to_have_count(0)
    finally:
        await context.close()


async def test_events_on_a_phone(
    browser: Browser, api_url: str, engine: Engine, events: tuple[str, str]
) -> None:
    high, _ = events
    context, page = await new_page(browser, api_url, engine, viewport=PHONE)
    try:
        await _open(page)
        item = page.locator("li", has_text=high)
        await expect(item.get_by_test_id("severity-chip")).to_have_text("high")
        await expect(page.locator("table")).to_have_count(0)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width}px wide"
        await shoot(page, "phone-security-events")
        await item.get_by_role("button", name="Acknowledge").click()
        await expect(page.locator("li", has_text=high)).to_have_count(0)
        assert _acknowledged_by(engine, high) is not None
    finally:
        await context.close()


async def test_an_auditor_reads_events_without_acknowledging(
    browser: Browser, api_url: str, engine: Engine, events: tuple[str, str]
) -> None:
    high, _ = events
    context, page = await new_page(browser, api_url, engine, role="auditor")
    try:
        await _open(page)
        row = page.locator("tbody tr", has_text=high)
        await expect(row).to_be_visible()
        await expect(row.get_by_role("button", name="Acknowledge")).to_have_count(0)
    finally:
        await context.close()
