"""The rules: figures in, advice with its reasoning out. Pure functions, no I/O: advise.py reads
the figures, and each rule says nothing when its condition is absent."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from pydantic import BaseModel

from atrium.capacity.signals import QueueState, WorkerState
from atrium.capacity.usage import quantile
from atrium.settings import CalendarEvent, CapacitySettings, OutboundLimit

AIM = 0.875  # size workers so slots are busy at 7/8 of the limit, not at the limit itself


class Advice(BaseModel):
    kind: str  # add_workers | start_workers | raise_budget | throttled
    subject: str  # the task queue or connection it concerns
    advice: str  # what to do, in one sentence with its figures
    reasons: list[str]  # the figures it rests on, one line each
    figures: dict[str, float | int | str]
    by: date | None = None  # act before this day (calendar peaks)


@dataclass(frozen=True)
class ConnectionUsage:
    """One connection's calls over the window (summed hourly rows)."""

    calls: int = 0
    throttled: int = 0
    wait_seconds: float = 0.0
    waits: list[int] = field(default_factory=list)


def _workers_on(queue: str, workers: Sequence[WorkerState], pollers: int) -> int:
    """Live workers of a queue: their heartbeats, else the distinct pollers Temporal saw."""
    beating = sum(1 for w in workers if w.task_queue == queue)
    return beating or pollers


def backlog(
    queues: Sequence[QueueState], workers: Sequence[WorkerState], cfg: CapacitySettings
) -> list[Advice]:
    """Tasks waiting to start: nobody polls the queue, or the oldest waited too long."""
    found: list[Advice] = []
    for q in queues:
        if q.backlog <= 0:
            continue
        figures: dict[str, float | int | str] = {
            "task_queue": q.task_queue,
            "type": q.kind,
            "backlog": q.backlog,
            "oldest_seconds": round(q.oldest_seconds, 1),
            "add_rate": round(q.add_rate, 2),
            "dispatch_rate": round(q.dispatch_rate, 2),
            "pollers": q.pollers,
        }
        waiting = f"{q.backlog} {q.kind} tasks wait, the oldest for {q.oldest_seconds:.0f} s"
        if q.pollers == 0:
            found.append(
                Advice(
                    kind="start_workers",
                    subject=q.task_queue,
                    advice=f"Start a worker on {q.task_queue}: nobody polls it ({waiting}).",
                    reasons=[
                        f"Temporal lists no poller of the {q.kind} queue {q.task_queue}",
                        f"backlog {q.backlog} tasks, oldest waiting {q.oldest_seconds:.0f} s",
                    ],
                    figures=figures,
                )
            )
            continue
        if q.oldest_seconds < cfg.backlog_age_seconds:
            continue
        have = _workers_on(q.task_queue, workers, q.pollers)
        # Work arrives at add_rate and leaves at dispatch_rate with `have` workers: scale them
        # so dispatch catches up, and at least one more while the backlog is this old.
        ratio = q.add_rate / q.dispatch_rate if q.dispatch_rate > 0 else 2.0
        add = max(1, math.ceil(have * ratio) - have)
        figures |= {"workers": have, "add": add}
        found.append(
            Advice(
                kind="add_workers",
                subject=q.task_queue,
                advice=f"Add {add} worker{'s' * (add > 1)} to {q.task_queue} now ({waiting}).",
                reasons=[
                    f"schedule-to-start of the oldest waiting task {q.oldest_seconds:.0f} s"
                    f" (more than {cfg.backlog_age_seconds:.0f} s)",
                    f"tasks added {q.add_rate:.2f}/s, dispatched {q.dispatch_rate:.2f}/s"
                    f" by {have} worker{'s' * (have > 1)}",
                ],
                figures=figures,
            )
        )
    return found


def slots(workers: Sequence[WorkerState], cfg: CapacitySettings) -> list[Advice]:
    """The workers' activity slots are nearly all taken."""
    found: list[Advice] = []
    for queue in sorted({w.task_queue for w in workers}):
        mine = [w for w in workers if w.task_queue == queue]
        used = sum(w.activity_used for w in mine)
        total = used + sum(w.activity_free for w in mine)
        if not total or used / total < cfg.slots_busy:
            continue
        per_worker = total / len(mine)
        add = max(1, math.ceil(used / (cfg.slots_busy * AIM) / per_worker) - len(mine))
        found.append(
            Advice(
                kind="add_workers",
                subject=queue,
                advice=f"Add {add} worker{'s' * (add > 1)} to {queue}: {used} of {total}"
                " activity slots are in use.",
                reasons=[
                    f"{len(mine)} workers report {used} of {total} activity slots in use"
                    f" ({used / total:.0%}, limit {cfg.slots_busy:.0%})",
                ],
                figures={"workers": len(mine), "slots_used": used, "slots": total, "add": add},
            )
        )
    return found


def on_year(day: date, year: int) -> date:
    """The same calendar day in ``year`` (29 February: the 28th)."""
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def next_occurrence(event: CalendarEvent, today: date) -> date:
    this_year = on_year(event.date, today.year)
    return this_year if this_year >= today else on_year(event.date, today.year + 1)


def calendar_peaks(
    cfg: CapacitySettings,
    runs_by_hour: Mapping[datetime, int],
    workers: int,
    today: date,
    window_days: int = 7,
) -> list[Advice]:
    """Before each calendar peak within ``lookahead_days``: the runs/h of the same week last
    year, against what the live workers sustain."""
    found: list[Advice] = []
    for event in cfg.calendar:
        coming = next_occurrence(event, today)
        if (coming - today).days > cfg.lookahead_days:
            continue
        last = on_year(coming, coming.year - 1)
        near = {h: n for h, n in runs_by_hour.items() if abs((h.date() - last).days) <= window_days}
        if not near:
            continue
        peak_hour = max(near, key=lambda h: near[h])
        peak = near[peak_hour]
        need = math.ceil(peak * cfg.headroom / cfg.runs_per_worker_hour)
        if need <= workers:
            continue
        add = need - workers
        by = max(today, coming - timedelta(days=cfg.lead_days))
        found.append(
            Advice(
                kind="add_workers",
                subject=event.name,
                advice=f"Add {add} worker{'s' * (add > 1)} before {by.isoformat()}"
                f" ({event.name} peak last year was {peak} runs/h).",
                reasons=[
                    f"{event.name} is on {coming.isoformat()}; last year's busiest hour near it"
                    f" was {peak_hour:%Y-%m-%d %H:00} UTC with {peak} runs",
                    f"with {cfg.headroom:g}x headroom that needs {need} workers at"
                    f" {cfg.runs_per_worker_hour} runs/h each; {workers} run now",
                ],
                figures={
                    "event": event.name,
                    "date": coming.isoformat(),
                    "peak_runs_per_hour": peak,
                    "peak_hour": peak_hour.isoformat(),
                    "workers": workers,
                    "needed": need,
                    "add": add,
                },
                by=by,
            )
        )
    return found


def outbound(
    usage: Mapping[str, ConnectionUsage],
    limits: Mapping[str, OutboundLimit],
    cfg: CapacitySettings,
) -> list[Advice]:
    """Per connection: the target refuses calls (429), or calls wait long for Atrium's own
    budget. A throttling target is never told to get more: raising the budget would hurt."""
    found: list[Advice] = []
    hours = cfg.window_hours
    for name in sorted(usage):
        u = usage[name]
        limit = limits[name]
        if u.throttled >= cfg.throttled_calls:
            found.append(
                Advice(
                    kind="throttled",
                    subject=name,
                    advice=f"{name} is throttled by the target ({u.throttled} 429s in"
                    f" {hours} h): ask its owner for a higher quota or lower its budget"
                    f" below {limit.rate}.",
                    reasons=[
                        f"{u.throttled} of {u.calls} calls in the last {hours} h were answered"
                        " 429 Too Many Requests",
                        f"its outbound budget is {limit.rate}, {limit.concurrency} in flight:"
                        " more than the target accepts, so raising it would not help",
                    ],
                    figures={"calls": u.calls, "throttled": u.throttled, "rate": limit.rate},
                )
            )
            continue
        p95 = quantile(u.waits, 0.95)
        if not u.calls or p95 < cfg.wait_p95_seconds:
            continue
        waited = sum(u.waits[1:])  # beyond the first bucket: a wait worth counting
        shown = "more than 60" if math.isinf(p95) else f"{p95:g}"
        found.append(
            Advice(
                kind="raise_budget",
                subject=name,
                advice=f"Raise {name}'s outbound budget (requests waited p95 {shown} s).",
                reasons=[
                    f"{u.calls} calls in the last {hours} h; {waited} waited for the budget,"
                    f" {u.wait_seconds:.1f} s in all; p95 wait at most {shown} s",
                    f"its budget is {limit.rate}, {limit.concurrency} in flight; the target"
                    " answered no 429, so it can take more",
                ],
                figures={
                    "calls": u.calls,
                    "waited": waited,
                    "wait_p95_seconds": -1 if math.isinf(p95) else p95,
                    "wait_seconds": round(u.wait_seconds, 3),
                    "rate": limit.rate,
                    "concurrency": limit.concurrency,
                },
            )
        )
    return found
