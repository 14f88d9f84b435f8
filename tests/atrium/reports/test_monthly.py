"""The monthly report's figures from real rows in a store of its own (SQLite and PostgreSQL):
records by outcome within the month's UTC bounds, SLA samples, top errors, the daily series; runs
from the visibility queries it asks; and the CSV and HTML drawn from them."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine

from atrium.db import make_engine, session_scope
from atrium.migrations import upgrade
from atrium.models import Integration, QuarantinedRecord, Sla, SlaSample, SyncConflict, SyncRecord
from atrium.reports.csv_report import _cell, csv_report
from atrium.reports.figures import monthly_report
from atrium.reports.html_report import html_report
from atrium.reports.models import MonthlyReport
from atrium.reports.month import check_month, previous, span
from tests.conftest import database_urls

FEB = "2024-02"  # a leap February: 29 days


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """Seeded once per dialect (the PostgreSQL database is this process's own)."""
    urls = database_urls(tmp_path_factory.mktemp("reports"))
    if request.param == "postgresql":
        assert len(urls) == 2, "ATRIUM_TEST_POSTGRES_URL is not set (.ci/run sets it)"
    url = urls[0 if request.param == "sqlite" else 1]
    upgrade(url)
    engine = make_engine(url)
    _seed(engine)
    return engine


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def _record(source_id: str, when: str) -> SyncRecord:
    return SyncRecord(
        integration="canvas-x",
        record_type="user",
        source_id=source_id,
        version="v",
        synced_at=at(when),
    )


def _quarantined(stage: str, reason: str, when: str) -> QuarantinedRecord:
    return QuarantinedRecord(
        integration="canvas-x",
        record_type="user",
        source_id="s",
        stage=stage,
        reason=reason,
        run_id="r",
        payload={},
        created_at=at(when),
    )


def _seed(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.add(
            Integration(
                name="canvas-x",
                system="canvas",
                base_url="http://lms.example",
                health_path="/",
                description="",
            )
        )
        for source_id, when in (
            ("a", "2024-02-03T10:00:00"),
            ("b", "2024-02-03T11:00:00"),
            ("c", "2024-02-29T23:59:59"),
            ("early", "2024-01-31T23:59:59"),
            ("late", "2024-03-01T00:00:00"),
        ):
            session.add(_record(source_id, when))
        for stage, reason, when in (
            ("mapping", "no email", "2024-02-03T12:00:00"),
            ("mapping", "no email", "2024-02-04T12:00:00"),
            ("target", "=1+1 <b>refused</b>", "2024-02-10T00:00:00"),
            ("target", "next month", "2024-03-02T00:00:00"),
        ):
            session.add(_quarantined(stage, reason, when))
        session.add(
            SyncConflict(
                integration="canvas-x",
                record_type="user",
                source_id="a",
                field="email",
                workflow_id="w",
                key="k",
                values={},
                created_at=at("2024-02-05T00:00:00"),
            )
        )
        rate = Sla(name="canvas-rate", kind="success_rate", integration="canvas-x", objective=95)
        cards = Sla(name="cards", kind="person", targets=["koha-y:patron"], within_hours=24)
        session.add(rate)
        session.add(cards)
        session.commit()
        for sla, status, when in (
            (rate, "met", "2024-02-02T00:00:00"),
            (rate, "breached", "2024-02-12T00:00:00"),
            (rate, "met", "2024-02-20T00:00:00"),
            (rate, "breached", "2024-03-05T00:00:00"),
            (cards, "met", "2024-02-07T00:00:00"),
        ):
            session.add(SlaSample(sla_id=int(sla.id or 0), status=status, at=at(when)))
        session.commit()


async def _counted(engine: Engine) -> tuple[list[str], MonthlyReport]:
    asked: list[str] = []
    answers = {"'Completed'": 7, "'Failed'": 2, "'Running'": 1}

    async def count(query: str) -> int:
        asked.append(query)
        return next((n for status, n in answers.items() if status in query), 12)

    return asked, await monthly_report(engine, FEB, count)


async def test_figures_come_from_the_rows_of_the_month(store: Engine) -> None:
    asked, report = await _counted(store)
    lines = {line.integration: line for line in report.integrations}
    assert {"canvas-x", "koha-y"} <= set(lines)
    canvas = lines["canvas-x"]
    assert canvas.system == "canvas"
    assert canvas.records.model_dump() == {
        "written": 3,
        "quarantined": 2,
        "failed": 1,
        "conflicts": 1,
    }
    assert canvas.runs is not None
    assert canvas.runs.model_dump() == {
        "total": 12,
        "completed": 7,
        "failed": 2,
        "running": 1,
        "other": 2,
    }
    assert canvas.failures == 2 + 1  # failed runs and the record the target refused
    [rate] = canvas.slas
    assert (rate.samples, rate.met, rate.breached, rate.status) == (3, 2, 1, "breached")
    assert canvas.sla_status == "breached"
    assert [(e.stage, e.reason, e.count) for e in canvas.top_errors] == [
        ("mapping", "no email", 2),
        ("target", "=1+1 <b>refused</b>", 1),
    ]
    koha = lines["koha-y"]  # named only by a person SLA's target: no connection row
    assert (koha.system, koha.sla_status, koha.records.written) == ("", "met", 0)
    days = report.days
    assert len(days) == 29
    assert (days[2].written, days[2].rejected) == (2, 1)  # 3 February
    assert (days[28].written, days[28].rejected) == (1, 0)  # 29 February, 23:59:59
    assert sum(d.written for d in days) == 3 and sum(d.rejected for d in days) == 3
    canvas_asked = [q for q in asked if "'canvas-x'" in q]
    assert len(canvas_asked) == 4
    assert all(
        "StartTime >= '2024-02-01T00:00:00Z' AND StartTime < '2024-03-01T00:00:00Z'" in q
        for q in canvas_asked
    )


async def test_csv_has_a_row_per_connection_and_no_formula(store: Engine) -> None:
    _, report = await _counted(store)
    rows = list(csv.DictReader(io.StringIO(csv_report(report))))
    names = [r["integration"] for r in rows]
    assert "koha-y" in names and names[-1] == "(all)"
    [canvas] = [r for r in rows if r["integration"] == "canvas-x"]
    assert (canvas["records_written"], canvas["records_failed"], canvas["runs_failed"]) == (
        "3",
        "1",
        "2",
    )
    assert (canvas["sla_status"], canvas["slas_breached"]) == ("breached", "canvas-rate")
    assert canvas["top_error"] == "mapping: no email" and canvas["top_error_count"] == "2"
    total = rows[-1]
    assert int(total["records_written"]) == sum(int(r["records_written"]) for r in rows[:-1])
    assert int(total["runs"]) == sum(int(r["runs"]) for r in rows[:-1]) >= 24
    assert not any(cell.startswith(("=", "+", "@")) for r in rows for cell in r.values())
    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and _cell("-3") == "'-3" and _cell(7) == "7"


async def test_html_is_printable_escaped_and_charted(store: Engine) -> None:
    _, report = await _counted(store)
    page = html_report(report)
    assert "<script" not in page and "@media print" in page and "@page" in page
    assert "&lt;b&gt;refused&lt;/b&gt;" in page and "<b>refused</b>" not in page
    assert page.count("<svg") == 3  # per day, runs by connection, records by connection
    assert "2024-02-03: 2 written" in page


def test_month_bounds() -> None:
    assert span("2024-12") == (at("2024-12-01T00:00:00"), at("2025-01-01T00:00:00"))
    assert previous(at("2024-01-15T00:00:00")) == "2023-12"
    assert check_month("2000-01") == "2000-01" and check_month("2100-12") == "2100-12"
    for bad in ("1999-12", "2101-01", "2024-13", "2024-00", "2024-1", "24-01"):
        with pytest.raises(ValueError):
            check_month(bad)
