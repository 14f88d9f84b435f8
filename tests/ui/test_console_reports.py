"""The Reports page in a real browser: a month's preview from seeded rows, the CSV downloaded,
the printable page opened (its SVG charts), delivery settings saved into the store and the
monthly-report schedule; on a desktop and at 360 px."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy.engine import Engine
from sqlmodel import col, delete
from temporalio.client import Client

from atrium.db import session_scope
from atrium.models import Integration, ReportDelivery, SyncRecord
from tests.ui.conftest import PHONE, new_page, shoot
from workflows.report_schedule import REPORT_SCHEDULE_ID, drop_report_schedule

MONTH = "2003-04"


@pytest.fixture(name="tag")
async def seeded(engine: Engine, temporal_client: Client) -> AsyncIterator[str]:
    """A connection with three records written in April 2003, and a comms connection; they, the
    delivery setting and its schedule go afterwards."""
    tag = uuid.uuid4().hex[:6]
    with session_scope(engine) as session:
        for n in range(3):
            session.add(
                SyncRecord(
                    integration=f"lms-{tag}",
                    record_type="user",
                    source_id=f"u{n}",
                    version="v",
                    synced_at=datetime(2003, 4, 9, tzinfo=UTC),
                )
            )
        session.add(
            Integration(
                name=f"comms-{tag}",
                system="comms",
                base_url="http://127.0.0.1:9",
                health_path="/",
                description="reports console test",
            )
        )
        session.commit()
    yield tag
    with session_scope(engine) as session:
        session.exec(delete(SyncRecord).where(col(SyncRecord.integration) == f"lms-{tag}"))  # type: ignore[call-overload]
        session.exec(delete(Integration).where(col(Integration.name) == f"comms-{tag}"))  # type: ignore[call-overload]
        session.exec(delete(ReportDelivery))  # type: ignore[call-overload]
        session.commit()
    await drop_report_schedule(temporal_client)


async def show_month(page: Page, tag: str) -> None:
    await page.goto("/#/reports")
    # The month's figures come from the store and from Temporal's visibility store, one count per
    # connection: on a loaded machine that can take longer than an assertion's 5 s.
    async with page.expect_response(
        lambda r: f"/api/v1/reports/monthly?month={MONTH}" in r.url, timeout=60_000
    ) as answering:
        await page.get_by_label("Month", exact=True).fill(MONTH)
    answer = await answering.value
    assert answer.status == 200, f"the report answered {answer.status}: {await answer.text()}"
    card = page.get_by_test_id("report-connection").filter(has_text=f"lms-{tag}")
    await expect(card).to_be_visible()
    await expect(card).to_contain_text("3written")


async def test_preview_csv_printable_page_and_delivery(
    console: Page, engine: Engine, temporal_client: Client, tag: str
) -> None:
    await show_month(console, tag)
    await shoot(console, "reports")
    async with console.expect_download() as downloading:
        await console.get_by_role("link", name="Download CSV").click()
    download = await downloading.value
    assert download.suggested_filename == f"atrium-report-{MONTH}.csv"
    text = await asyncio.to_thread(Path(await download.path()).read_text, encoding="utf-8")
    [row] = [r for r in csv.DictReader(io.StringIO(text)) if r["integration"] == f"lms-{tag}"]
    assert (row["month"], row["records_written"]) == (MONTH, "3")

    async with console.context.expect_page() as opening:
        await console.get_by_role("link", name="Open printable page").click()
    printable = await opening.value
    await printable.wait_for_load_state()
    await expect(printable.locator("h1")).to_have_text(f"Integration report {MONTH}")
    await expect(printable.locator("svg").first).to_be_visible()
    await shoot(printable, "report-printable")
    await printable.close()

    await console.get_by_label("Send last month's report by email").check()
    await console.get_by_label("Recipients").fill("dean@example.edu, registrar@example.edu")
    await console.get_by_label("Day of month", exact=True).fill("5")
    await console.get_by_label("Comms connection").click()
    await console.get_by_role("option", name=f"comms-{tag}").click()
    await console.get_by_role("button", name="Save delivery").click()
    await expect(console.get_by_text("Report delivery scheduled")).to_be_visible()
    with session_scope(engine) as session:
        kept = session.get(ReportDelivery, 1)
        assert kept is not None and kept.enabled and kept.day_of_month == 5
        assert kept.recipients == ["dean@example.edu", "registrar@example.edu"]
    described = await temporal_client.get_schedule_handle(REPORT_SCHEDULE_ID).describe()
    assert described.schedule.spec.calendars[0].day_of_month[0].start == 5
    await shoot(console, "reports-delivery")


async def test_reports_fit_a_phone(
    browser: Browser, api_url: str, engine: Engine, worker: Any, tag: str
) -> None:
    context, page = await new_page(browser, api_url, engine, viewport=PHONE)
    try:
        await show_month(page, tag)
        await expect(page.get_by_role("button", name="Save delivery")).to_be_visible()
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"reports: page is {width}px wide"
        await shoot(page, "phone-reports")
    finally:
        await context.close()
