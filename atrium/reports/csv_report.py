"""The monthly report as CSV: one row per connection, then a totals row. A cell that a
spreadsheet would run as a formula (an error text from a school's system starting with ``=``)
is written with a leading apostrophe."""

from __future__ import annotations

import csv
import io

from atrium.reports.models import IntegrationMonth, MonthlyReport

COLUMNS = (
    "month",
    "integration",
    "system",
    "runs",
    "runs_completed",
    "runs_failed",
    "runs_running",
    "records_written",
    "records_quarantined",
    "records_failed",
    "conflicts",
    "failures",
    "sla_status",
    "slas_breached",
    "top_error",
    "top_error_count",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def _row(month: str, line: IntegrationMonth) -> list[object]:
    runs, records = line.runs, line.records
    top = line.top_errors[0] if line.top_errors else None
    return [
        month,
        line.integration,
        line.system,
        runs.total if runs else "",
        runs.completed if runs else "",
        runs.failed if runs else "",
        runs.running if runs else "",
        records.written,
        records.quarantined,
        records.failed,
        records.conflicts,
        line.failures,
        line.sla_status,
        ",".join(s.name for s in line.slas if s.status == "breached"),
        f"{top.stage}: {top.reason}" if top else "",
        top.count if top else "",
    ]


def csv_report(report: MonthlyReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for line in report.integrations:
        writer.writerow([_cell(v) for v in _row(report.month, line)])
    runs, records = report.runs, report.records
    failures = sum(line.failures for line in report.integrations)
    writer.writerow(
        [report.month, "(all)", "", runs.total, runs.completed, runs.failed, runs.running]
        + [records.written, records.quarantined, records.failed, records.conflicts, failures]
        + ["", "", "", ""]
    )
    return out.getvalue()
