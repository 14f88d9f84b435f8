"""The SLA console in a real browser: the SLA list, one person SLA with its people in breach (a
student with no library card in time; one with both is not listed), measuring it now into its
history; on a desktop and at 360 px."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy.engine import Engine
from sqlmodel import col, delete

from atrium.db import session_scope
from atrium.models import Sla, SlaPerson, SlaSample, SyncRecord
from atrium.models.integration import utcnow
from tests.ui.conftest import PHONE, new_page, shoot


@pytest.fixture
def person_sla(engine: Engine) -> Iterator[Sla]:
    tag = uuid.uuid4().hex[:6]
    lms, library, then = f"lms-{tag}", f"library-{tag}", utcnow() - timedelta(hours=30)
    with session_scope(engine) as session:
        for integration, record_type, source_id in (
            (lms, "users", f"stu-nocard-{tag}"),
            (lms, "users", f"stu-both-{tag}"),
            (library, "patrons", f"stu-both-{tag}"),
        ):
            session.add(SyncRecord(integration=integration, record_type=record_type,
                                   source_id=source_id, version="v1", synced_at=then))  # fmt: skip
        sla = Sla(name=f"new-enrollees-{tag}", kind="person",
                  targets=[f"{lms}:users", f"{library}:patrons"], within_hours=24)  # fmt: skip
        session.add(sla)
        session.commit()
        session.refresh(sla)
    yield sla
    with session_scope(engine) as session:
        session.exec(delete(SlaPerson).where(col(SlaPerson.sla_id) == sla.id))  # type: ignore[call-overload]
        session.exec(delete(SlaSample).where(col(SlaSample.sla_id) == sla.id))  # type: ignore[call-overload]
        session.exec(delete(Sla).where(col(Sla.id) == sla.id))  # type: ignore[call-overload]
        session.exec(delete(SyncRecord).where(col(SyncRecord.integration).in_([lms, library])))  # type: ignore[call-overload]
        session.commit()


async def visit(page: Page, route: str) -> None:
    await page.goto(route)
    await page.wait_for_load_state("networkidle")
    await expect(page.locator("#main-content")).to_be_visible()


async def test_people_in_breach_and_measuring_now(console: Page, person_sla: Sla) -> None:
    tag = person_sla.name.rsplit("-", 1)[1]
    await visit(console, "/#/slas")
    row = console.locator("tbody tr", has_text=person_sla.name)
    await expect(row).to_be_visible()
    await shoot(console, "slas-list")
    await row.click()
    breach = console.get_by_test_id("breach")
    await expect(breach).to_have_count(1)
    await expect(breach).to_contain_text(f"stu-nocard-{tag}")
    await expect(breach).to_contain_text(f"library-{tag}:patrons")
    await expect(console.get_by_text(f"stu-both-{tag}")).to_have_count(0)
    await expect(console.get_by_text("Not measured yet.")).to_be_visible()
    await console.get_by_role("button", name="Measure now").click()
    await expect(console.get_by_test_id("sample").first).to_contain_text("breached")
    await shoot(console, "slas-show")


async def test_slas_fit_a_phone(
    browser: Browser, api_url: str, engine: Engine, worker: Any, person_sla: Sla
) -> None:
    context, page = await new_page(browser, api_url, engine, viewport=PHONE)
    try:
        for name, route in (("slas", "/#/slas"), ("sla", f"/#/slas/{person_sla.id}/show")):
            await visit(page, route)
            await expect(page.get_by_text(person_sla.name).first).to_be_visible()
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{name}: page is {width}px wide"
            await shoot(page, f"phone-{name}")
        await expect(page.get_by_test_id("breach")).to_have_count(1)
    finally:
        await context.close()
