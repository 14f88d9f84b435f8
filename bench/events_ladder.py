"""The term-start ladder (``python -m bench.events --ladder``): 30, 60, 100, 200 and 300 events/s
for a minute each, then a burst of 20,000 events sent as fast as they are accepted, each step on
a fresh stack, adaptive dispatch. Printed per step: accepted/s, e2e p50/p99, lost, duplicated
effects, backlog, CPU per event by process. The last line is machine-readable."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bench.events_common import pct

Measure = Callable[..., Awaitable[dict[str, Any]]]

RATES = (30.0, 60.0, 100.0, 200.0, 300.0)
HEADER = (
    "| step | accepted/s | e2e p50 / p99 (ms) | lost | duplicated | out of order | backlog max | "
    "all applied after (s) | answers | CPU per event (ms) |"
)


def row(step: str, r: dict[str, Any]) -> str:
    cpu = " ".join(f"{k}={v:.1f}" for k, v in r["cpu_per_event_ms"].items())
    return (
        f"| {step} | {r['accepted_per_s']:.1f} | {pct(r['e2e_ms'], 50):.0f} / "
        f"{pct(r['e2e_ms'], 99):.0f} | {r['lost']} | {r['duplicated']} | {r['out_of_order']} | "
        f"{r['backlog_max']} | "
        f"{r['drain_s']:.1f} | {r['statuses']} | {cpu} |"
    )


async def ladder(measure: Measure, seconds: float, burst: int, api_processes: int = 1) -> int:
    """``measure`` is bench.events.measure (passed in: that module runs this one)."""
    steps: list[tuple[str, dict[str, Any]]] = []
    for rate in RATES:
        result = await measure(rate, seconds, api_processes)
        steps.append((f"{rate:g}/s x {seconds:g} s", result))
        print(row(*steps[-1]), flush=True)
    if burst:
        result = await measure(0, 0, api_processes, burst=burst)
        steps.append((f"burst of {burst}", result))
        print(row(*steps[-1]), flush=True)
    print(HEADER)
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for step in steps:
        print(row(*step))
    lost = sum(r["lost"] for _, r in steps)
    duplicated = sum(r["duplicated"] for _, r in steps)
    disordered = sum(r["out_of_order"] for _, r in steps)
    print(
        "ladder "
        + " ".join(
            f"{step.split(' ')[0]}:accepted={r['accepted_per_s']:.0f},"
            f"p99={pct(r['e2e_ms'], 99):.0f}"
            for step, r in steps
        )
        + f" lost={lost} duplicated={duplicated} out_of_order={disordered}"
    )
    return 0 if lost == 0 and duplicated == 0 and disordered == 0 else 1
