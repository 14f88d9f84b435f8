"""Reports over HTTP: the monthly report as JSON, CSV and a printable page, its figures from rows
in the store and runs in Temporal; the month bounded (422 naming it); delivery settings kept in
the store and as the ``monthly-report`` Temporal Schedule; who may read and change them."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, delete
from temporalio.client import Client
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.service import RPCError
from temporalio.worker import Worker

from atrium.db import session_scope
from atrium.models import Integration, QuarantinedRecord, ReportDelivery, SyncRecord
from atrium.models.integration import utcnow
from atrium.temporal import INTEGRATION
from tests.conftest import ClientFor
from tests.workflows.sync_env import eventually
from workflows.monthly_report import MonthlyReport, MonthlyReportInput
from workflows.report_schedule import REPORT_SCHEDULE_ID, drop_report_schedule

MONTH = "2003-04"  # no other test writes rows in it


@pytest.fixture(name="tag")
def cleaned_tag(engine: Engine) -> Iterator[str]:
    tag = uuid.uuid4().hex[:8]
    yield tag
    with session_scope(engine) as session:
        for table in (SyncRecord, QuarantinedRecord):
            session.exec(delete(table).where(col(table.integration).contains(tag)))  # type: ignore[call-overload]
        session.exec(delete(Integration).where(col(Integration.name).contains(tag)))  # type: ignore[call-overload]
        session.commit()


@pytest.fixture(name="no_delivery")
async def delivery_cleaned(engine: Engine, temporal_client: Client) -> AsyncIterator[None]:
    """The one delivery setting and its schedule, gone before and after."""

    async def clean() -> None:
        with session_scope(engine) as session:
            session.exec(delete(ReportDelivery))  # type: ignore[call-overload]
            session.commit()
        await drop_report_schedule(temporal_client)

    await clean()
    yield
    await clean()


def _seed(engine: Engine, tag: str) -> None:
    when = datetime(2003, 4, 30, 23, 0, tzinfo=UTC)
    with session_scope(engine) as session:
        for n in range(3):
            session.add(
                SyncRecord(
                    integration=f"lms-{tag}",
                    record_type="user",
                    source_id=f"u{n}",
                    version="v",
                    synced_at=when,
                )
            )
        session.add(
            QuarantinedRecord(
                integration=f"lms-{tag}",
                record_type="user",
                source_id="u9",
                stage="validation",
                reason="email: missing",
                run_id="r",
                payload={},
                created_at=when,
            )
        )
        session.commit()


async def test_the_monthly_report_as_json_csv_and_printable_page(
    api: httpx.AsyncClient, engine: Engine, tag: str
) -> None:
    _seed(engine, tag)
    answer = await api.get("/api/v1/reports/monthly", params={"month": MONTH})
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["start"].startswith("2003-04-01T00:00:00") and len(report["days"]) == 30
    [line] = [i for i in report["integrations"] if i["integration"] == f"lms-{tag}"]
    assert line["records"] == {"written": 3, "quarantined": 1, "failed": 0, "conflicts": 0}
    assert line["runs"]["total"] == 0 and line["sla_status"] == "none"
    assert line["top_errors"] == [{"stage": "validation", "reason": "email: missing", "count": 1}]
    assert report["days"][29]["written"] >= 3

    answer = await api.get("/api/v1/reports/monthly", params={"month": MONTH, "format": "csv"})
    assert answer.headers["content-type"].startswith("text/csv")
    assert f'filename="atrium-report-{MONTH}.csv"' in answer.headers["content-disposition"]
    [row] = [r for r in csv.DictReader(io.StringIO(answer.text)) if r["integration"].endswith(tag)]
    assert (row["records_written"], row["records_quarantined"]) == ("3", "1")

    answer = await api.get("/api/v1/reports/monthly", params={"month": MONTH, "format": "html"})
    assert answer.headers["content-type"].startswith("text/html")
    assert "<svg" in answer.text and "@media print" in answer.text and f"lms-{tag}" in answer.text


async def test_runs_of_the_month_come_from_temporal(
    api: httpx.AsyncClient,
    engine: Engine,
    temporal_client: Client,
    worker: Worker,
    tag: str,
    no_delivery: None,
) -> None:
    """A run tagged with a connection counts in the month it started (a report run with no
    delivery set: it sends nothing and completes)."""
    name = f"lms-{tag}"
    with session_scope(engine) as session:
        session.add(
            Integration(
                name=name,
                system="canvas",
                base_url="http://127.0.0.1:9",
                health_path="/",
                description="",
            )
        )
        session.commit()
    await temporal_client.execute_workflow(
        MonthlyReport.run,
        MonthlyReportInput(month=MONTH),
        id=f"report-runs-{tag}",
        task_queue=worker.task_queue,
        search_attributes=TypedSearchAttributes([SearchAttributePair(INTEGRATION, name)]),
    )
    month = utcnow().strftime("%Y-%m")

    async def counted() -> dict[str, int] | None:
        answer = await api.get("/api/v1/reports/monthly", params={"month": month})
        lines = [i for i in answer.json()["integrations"] if i["integration"] == name]
        return lines[0]["runs"] if lines and lines[0]["runs"]["completed"] else None

    runs = await eventually(counted, 20)
    assert runs == {"total": 1, "completed": 1, "failed": 0, "running": 0, "other": 0}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "month"),
        ({"month": "1999-12"}, "month"),
        ({"month": "2101-01"}, "month"),
        ({"month": "2024-13"}, "month"),
        ({"month": "2024-1"}, "month"),
        ({"month": "2024-01", "format": "pdf"}, "format"),
    ],
)
async def test_bad_months_and_formats_get_422_naming_the_field(
    api: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    answer = await api.get("/api/v1/reports/monthly", params=params)
    assert answer.status_code == 422, answer.text
    assert field in answer.text


async def test_delivery_settings_keep_the_schedule(
    api: httpx.AsyncClient,
    engine: Engine,
    temporal_client: Client,
    tag: str,
    no_delivery: None,
) -> None:
    comms = f"comms-{tag}"
    with session_scope(engine) as session:
        session.add(
            Integration(
                name=comms,
                system="comms",
                base_url="http://127.0.0.1:9",
                health_path="/",
                description="",
            )
        )
        session.commit()
    assert (await api.get("/api/v1/reports/delivery")).json()["enabled"] is False
    body = {"recipients": ["dean@example.edu"], "day_of_month": 3, "hour": 7}
    answer = await api.put("/api/v1/reports/delivery", json={**body, "comms_integration": comms})
    assert answer.status_code == 200, answer.text
    assert answer.json()["schedule_id"] == REPORT_SCHEDULE_ID
    kept = await api.get("/api/v1/reports/delivery")
    assert kept.json()["recipients"] == ["dean@example.edu"] and kept.json()["day_of_month"] == 3
    described = await temporal_client.get_schedule_handle(REPORT_SCHEDULE_ID).describe()
    [calendar] = described.schedule.spec.calendars
    assert calendar.day_of_month[0].start == 3 and calendar.hour[0].start == 7
    off = await api.put("/api/v1/reports/delivery", json={**body, "enabled": False})
    assert off.status_code == 200 and off.json()["schedule_id"] == ""
    with pytest.raises(RPCError):
        await temporal_client.get_schedule_handle(REPORT_SCHEDULE_ID).describe()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "recipients"),
        ({"recipients": ["not-an-address"], "comms_integration": "x"}, "recipients"),
        ({"recipients": ["a@example.edu"]}, "comms_integration"),
        ({"recipients": ["a@example.edu"], "comms_integration": "nope-zz"}, "comms_integration"),
        ({"recipients": ["a@example.edu"], "comms_integration": "x", "day_of_month": 29}, "day"),
        ({"recipients": ["a@example.edu"], "comms_integration": "x", "hour": 24}, "hour"),
    ],
)
async def test_bad_delivery_settings_get_422_naming_the_field(
    api: httpx.AsyncClient, body: dict[str, object], field: str, no_delivery: None
) -> None:
    answer = await api.put("/api/v1/reports/delivery", json=body)
    assert answer.status_code == 422, answer.text
    assert field in answer.text


async def test_who_may_read_reports_and_change_delivery(client_for: ClientFor) -> None:
    leader, student = await client_for("leader"), await client_for("student")
    assert (await leader.get("/api/v1/reports/delivery")).status_code == 200
    assert (await leader.put("/api/v1/reports/delivery", json={})).status_code == 403
    for path in ("/api/v1/reports/monthly?month=2003-04", "/api/v1/reports/delivery"):
        assert (await student.get(path)).status_code == 403
