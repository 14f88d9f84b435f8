"""Server-drawn SVG charts for the printable report: no script, scaled by their viewBox, a
``<title>`` on every bar (a tooltip on screen, the figure for a screen reader), and a legend."""

from __future__ import annotations

from html import escape

from atrium.reports.models import DayCount

WIDTH = 720
COLORS = {
    "written": "#1f6feb",
    "completed": "#1f6feb",
    "rejected": "#d1242f",
    "failed": "#d1242f",
    "quarantined": "#bf8700",
    "running": "#8250df",
    "conflicts": "#8250df",
    "other": "#8c959f",
}


def _legend(series: list[str], y: float) -> str:
    parts, x = [], 0.0
    for name in series:
        parts.append(
            f'<rect x="{x:.0f}" y="{y:.0f}" width="10" height="10" fill="{COLORS[name]}"/>'
            f'<text x="{x + 14:.0f}" y="{y + 9:.0f}" font-size="11">{escape(name)}</text>'
        )
        x += 24 + 7 * len(name)
    return "".join(parts)


def _svg(height: float, label: str, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}"'
        f' role="img" aria-label="{escape(label)}" class="chart">{body}</svg>'
    )


def daily_chart(days: list[DayCount]) -> str:
    """Records written (blue) and rejected (red) per day, stacked."""
    top = max((d.written + d.rejected for d in days), default=0) or 1
    plot, left, base = 150.0, 40.0, 170.0
    step = (WIDTH - left) / max(len(days), 1)
    bars = [
        f'<line x1="{left}" y1="{base}" x2="{WIDTH}" y2="{base}" stroke="#8c959f"/>',
        f'<text x="{left - 4}" y="{base - plot + 4:.0f}" font-size="10" text-anchor="end">'
        f"{top}</text>",
        f'<text x="{left - 4}" y="{base:.0f}" font-size="10" text-anchor="end">0</text>',
    ]
    for i, day in enumerate(days):
        x = left + i * step + 1
        y = base
        for name, value in (("written", day.written), ("rejected", day.rejected)):
            h = plot * value / top
            y -= h
            if value:
                bars.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{step - 2:.1f}" height="{h:.1f}"'
                    f' fill="{COLORS[name]}"><title>{day.day.isoformat()}: {value} {name}'
                    "</title></rect>"
                )
        if i % 5 == 0 or i == len(days) - 1:
            bars.append(
                f'<text x="{x + step / 2:.1f}" y="{base + 13:.0f}" font-size="10"'
                f' text-anchor="middle">{day.day.day}</text>'
            )
    bars.append(_legend(["written", "rejected"], base + 22))
    return _svg(base + 36, "records written and rejected per day", "".join(bars))


def stacked_bars(rows: list[tuple[str, dict[str, int]]], series: list[str], label: str) -> str:
    """One horizontal bar per row (a connection), its parts stacked in ``series`` order."""
    top = max((sum(parts.values()) for _, parts in rows), default=0) or 1
    left, bar, gap = 170.0, 16.0, 6.0
    span = WIDTH - left - 60
    out = []
    for i, (name, parts) in enumerate(rows):
        y = i * (bar + gap)
        short = name if len(name) <= 26 else name[:25] + "…"
        out.append(
            f'<text x="{left - 6}" y="{y + 12:.0f}" font-size="11" text-anchor="end">'
            f"{escape(short)}</text>"
        )
        x = left
        for key in series:
            value = parts.get(key, 0)
            if value:
                w = max(span * value / top, 1.0)
                out.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar}"'
                    f' fill="{COLORS[key]}"><title>{escape(name)}: {value} {key}</title></rect>'
                )
                x += w
        out.append(
            f'<text x="{x + 4:.1f}" y="{y + 12:.0f}" font-size="11">{sum(parts.values())}</text>'
        )
    height = len(rows) * (bar + gap)
    out.append(_legend(series, height + 4))
    return _svg(height + 20, label, "".join(out))
