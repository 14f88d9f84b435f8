"""The monthly report as one printable HTML page: inline CSS (print rules, A4, no page break
inside a row), SVG charts drawn on the server, no script. Every text from the store is escaped."""

from __future__ import annotations

from html import escape

from atrium.reports.charts import daily_chart, stacked_bars
from atrium.reports.models import IntegrationMonth, MonthlyReport

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; color: #1f2328; margin: 16px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 24px 0 8px; }
.muted { color: #59636e; }
.cards { display: flex; flex-wrap: wrap; gap: 8px; }
.card { border: 1px solid #d1d9e0; border-radius: 6px; padding: 8px 12px; min-width: 120px; }
.card b { display: block; font-size: 20px; }
.chart { width: 100%; height: auto; max-width: 720px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border-bottom: 1px solid #d1d9e0; padding: 4px 6px; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.breached { color: #d1242f; font-weight: 600; } .met { color: #1a7f37; }
@page { size: A4; margin: 14mm; }
@media print {
  body { margin: 0; font-size: 11px; }
  .scroll { overflow: visible; }
  tr, .card, svg { break-inside: avoid; }
  h2 { break-after: avoid; }
}
"""


def _card(label: str, value: object) -> str:
    return f'<div class="card"><b>{escape(str(value))}</b>{escape(label)}</div>'


def _status(value: str) -> str:
    return f'<span class="{escape(value)}">{escape(value)}</span>'


def _row(line: IntegrationMonth) -> str:
    runs, records = line.runs, line.records
    cells = [
        escape(line.integration),
        escape(line.system or "(deleted)"),
    ]
    numbers = [
        runs.total if runs else "–",
        runs.completed if runs else "–",
        runs.failed if runs else "–",
        records.written,
        records.quarantined,
        records.failed,
        records.conflicts,
    ]
    return (
        "<tr>"
        + "".join(f"<td>{c}</td>" for c in cells)
        + "".join(f'<td class="n">{n}</td>' for n in numbers)
        + f"<td>{_status(line.sla_status)}</td></tr>"
    )


def _slas(report: MonthlyReport) -> str:
    rows = [
        f"<tr><td>{escape(line.integration)}</td><td>{escape(s.name)}</td>"
        f"<td>{escape(s.kind)}</td><td class='n'>{s.objective:g}</td>"
        f"<td class='n'>{s.samples}</td><td class='n'>{s.breached}</td>"
        f"<td>{_status(s.status)}</td></tr>"
        for line in report.integrations
        for s in line.slas
    ]
    if not rows:
        return '<p class="muted">No SLA is defined.</p>'
    head = (
        "<tr><th>connection</th><th>SLA</th><th>kind</th><th class='n'>objective</th>"
        "<th class='n'>samples</th><th class='n'>breached</th><th>status</th></tr>"
    )
    return f'<div class="scroll"><table>{head}{"".join(rows)}</table></div>'


def _errors(report: MonthlyReport) -> str:
    rows = [
        f"<tr><td>{escape(line.integration)}</td><td>{escape(e.stage)}</td>"
        f"<td>{escape(e.reason)}</td><td class='n'>{e.count}</td></tr>"
        for line in report.integrations
        for e in line.top_errors
    ]
    if not rows:
        return '<p class="muted">No record was rejected this month.</p>'
    head = "<tr><th>connection</th><th>stage</th><th>error</th><th class='n'>records</th></tr>"
    return f'<div class="scroll"><table>{head}{"".join(rows)}</table></div>'


def html_report(report: MonthlyReport) -> str:
    lines = report.integrations
    runs, records = report.runs, report.records
    with_runs = [
        (line.integration, line.runs.model_dump(exclude={"total"}))
        for line in lines
        if line.runs and line.runs.total
    ]
    with_records = [
        (line.integration, line.records.model_dump())
        for line in lines
        if sum(line.records.model_dump().values())
    ]
    head = (
        "<tr><th>connection</th><th>system</th><th class='n'>runs</th>"
        "<th class='n'>completed</th><th class='n'>failed</th><th class='n'>written</th>"
        "<th class='n'>quarantined</th><th class='n'>refused</th><th class='n'>conflicts</th>"
        "<th>SLA</th></tr>"
    )
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Atrium integration report {escape(report.month)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Integration report {escape(report.month)}</h1>",
        f'<p class="muted">{report.start:%Y-%m-%d} to {report.end:%Y-%m-%d} (UTC, end'
        f" excluded); generated {report.generated_at:%Y-%m-%d %H:%M} UTC</p>",
        '<div class="cards">',
        _card("connections", len(lines)),
        _card("runs", runs.total),
        _card("failed runs", runs.failed),
        _card("records written", records.written),
        _card("records rejected", records.quarantined + records.failed),
        _card("SLAs breached", sum(s.status == "breached" for ln in lines for s in ln.slas)),
        "</div>",
        "<h2>Records per day</h2>",
        daily_chart(report.days),
    ]
    if with_runs:
        series = ["completed", "failed", "running", "other"]
        parts += ["<h2>Runs by connection</h2>", stacked_bars(with_runs, series, "runs")]
    if with_records:
        series = ["written", "quarantined", "failed", "conflicts"]
        parts += ["<h2>Records by connection</h2>", stacked_bars(with_records, series, "records")]
    parts += [
        "<h2>Connections</h2>",
        f'<div class="scroll"><table>{head}{"".join(_row(line) for line in lines)}</table></div>',
        "<h2>SLAs</h2>",
        _slas(report),
        "<h2>Top errors</h2>",
        _errors(report),
        "</body></html>",
    ]
    return "\n".join(parts)
