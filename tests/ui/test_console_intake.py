"""The webhook deliveries page in a real browser shows what became of each inbound event in the
intake (applied, coalesced, queued, failed) and links to the run that applies it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import delete
from sqlalchemy.engine import Engine

from atrium.db import session_scope
from atrium.intake.store import IntakeStore
from atrium.models import WebhookDelivery
from tests.ui.conftest import shoot
from tests.workflows.intake_support import email_event, plant, remove

BATCH = "intake-batch:profile-update:ui"


@pytest.fixture
def deliveries(engine: Engine) -> Iterator[tuple[str, list[str]]]:
    """Four events of one source as the intake left them, each with its delivery-log row."""
    source = f"ui-{uuid.uuid4().hex[:6]}"
    events = [email_event(p, "canvas-ui", source=source, claimed_by="test")
              for p in ("U00027", "U00027", "U00028")]  # fmt: skip
    # The last waits behind an earlier event of its person still being applied: no dispatcher
    # takes it (within the lease), so it stays queued.
    ahead = email_event("U00029", "canvas-ui", source=source, claimed_by="test")
    events.append(email_event("U00029", "canvas-ui", source=source, claimed_by=None))
    ids = plant(engine, [*events[:3], ahead, events[3]])
    store = IntakeStore(engine)
    store.finish([ids[1]], mode="batch", batch_id=BATCH)
    store.finish_coalesced({ids[0]: ids[1]}, BATCH)
    store.finish([ids[2]], status="failed", mode="batch", batch_id=BATCH, reason="canvas: gone")
    with session_scope(engine) as session:
        for e in events:
            session.add(WebhookDelivery(source=source, event_id=e.event_id, event_type=e.event_type,
                                        outcome="queued", status_code=202, reason="",
                                        workflow_id=e.workflow_id))  # fmt: skip
        session.commit()
    yield source, [e.event_id for e in events]
    remove(engine, source)
    with engine.begin() as conn:
        conn.execute(delete(WebhookDelivery).where(WebhookDelivery.source == source))  # type: ignore[arg-type]


async def test_each_delivery_shows_its_intake_status_and_run(
    console: Page, deliveries: tuple[str, list[str]]
) -> None:
    source, event_ids = deliveries
    await console.goto(f'/#/webhook-deliveries?filter={{"source":"{source}"}}')
    await console.wait_for_load_state("networkidle")
    expected = ["coalesced", "applied", "failed", "queued"]
    for event_id, status in zip(event_ids, expected, strict=True):
        row = console.locator("tbody tr", has_text=event_id)
        await expect(row.get_by_test_id("intake-status")).to_contain_text(status)
    await shoot(console, "webhook-deliveries-intake")
    queued = console.locator("tbody tr", has_text=event_ids[3]).get_by_test_id("intake-status")
    await expect(queued.get_by_role("link")).to_have_count(0)  # no run yet
    applied = console.locator("tbody tr", has_text=event_ids[1]).get_by_test_id("intake-status")
    await applied.get_by_role("link", name="run").click()
    await expect(console).to_have_url(re.compile(re.escape(f"#/runs/{quote(BATCH, safe='')}/show")))
