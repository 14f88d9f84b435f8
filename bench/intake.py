"""The webhook intake, side by side: a run per event (the baseline) against adaptive dispatch
(batch runs under load), each on a fresh stack, at each rate.

    python -m bench.intake --rates 80,120 --seconds 30

Each run is ``bench.events`` (same stack, sender, sandbox and measures; see bench/README.md)
with ``--dispatch per-event`` then ``--dispatch adaptive``. Printed per rate and mode: events
accepted per second, e2e p50/p99 (webhook due -> its change in Canvas, its own write or a later
one of the same person's that superseded it), the intake's backlog (max, and when sending
stopped), time until all were applied, duplicated effects, lost, CPU per event by process; then
the ratios adaptive / per-event. The last line is machine-readable.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from typing import Any

from bench.events import measure, pct

MODES = ("per-event", "adaptive")


def row(r: dict[str, Any]) -> str:
    cpu = " ".join(f"{k}={v:.1f}" for k, v in r["cpu_per_event_ms"].items())
    return (
        f"| {r['rate']:g}/s | {r['dispatch']} | {r['accepted_per_s']:.1f} | "
        f"{pct(r['e2e_ms'], 50):.0f} / {pct(r['e2e_ms'], 99):.0f} | "
        f"{r['backlog_max']} / {r['backlog_end_of_send']} | {r['drain_s']:.1f} | "
        f"{r['coalesced']} | {r['duplicated']} | {r['lost']} | {cpu} |"
    )


async def ladder(rates: list[float], seconds: float) -> int:
    results: dict[tuple[float, str], dict[str, Any]] = {}
    for rate in rates:
        for mode in MODES:
            try:
                r = await measure(rate, seconds, 1, mode)
            except RuntimeError as exc:  # e.g. a free port taken meanwhile: a fresh stack, once
                print(f"retrying rate={rate:g} dispatch={mode}: {exc}", flush=True)
                r = await measure(rate, seconds, 1, mode)
            results[(rate, mode)] = r
            print(row(r), flush=True)
    print(
        "| rate | dispatch | accepted/s | e2e p50 / p99 (ms) | backlog max / at end of sending "
        "| all applied after (s) | coalesced | duplicated effects | lost | CPU per event (ms) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results.values():
        print(row(r))
    worst = 0
    for rate in rates:
        base, adaptive = results[(rate, "per-event")], results[(rate, "adaptive")]
        p50 = pct(adaptive["e2e_ms"], 50) / pct(base["e2e_ms"], 50)
        p99 = pct(adaptive["e2e_ms"], 99) / pct(base["e2e_ms"], 99)
        cpu = sum(adaptive["cpu_per_event_ms"].values()) / sum(base["cpu_per_event_ms"].values())
        print(
            f"intake rate={rate:g} seconds={seconds:g} "
            f"lost_per_event={base['lost']} lost_adaptive={adaptive['lost']} "
            f"e2e_p99_ms_per_event={pct(base['e2e_ms'], 99):.0f} "
            f"e2e_p99_ms_adaptive={pct(adaptive['e2e_ms'], 99):.0f} "
            f"ratio_e2e_p50={p50:.3f} ratio_e2e_p99={p99:.3f} ratio_cpu_per_event={cpu:.2f} "
            f"duplicated_adaptive={adaptive['duplicated']}"
        )
        worst = max(worst, adaptive["lost"], adaptive["duplicated"])
    return 0 if worst == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rates", default="80,120", help="comma-separated events per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to send, per run")
    args = parser.parse_args()
    try:
        rates = [float(r) for r in args.rates.split(",")]
    except ValueError:
        parser.error("--rates: comma-separated numbers, e.g. 80,120")
    if not rates or not all(0 < r <= 500 for r in rates) or not 0 < args.seconds <= 600:
        parser.error("--rates each in (0, 500], --seconds in (0, 600]")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    return asyncio.run(ladder(rates, args.seconds))


if __name__ == "__main__":
    raise SystemExit(main())
