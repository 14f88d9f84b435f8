"""Temporal's own view of a benchmark: the frontend's latency histogram for one operation,
scraped from the dev server's Prometheus endpoint before and after a run."""

from __future__ import annotations

import math
import re

import httpx

LINE = re.compile(r"^service_latency_bucket\{(?P<labels>[^}]*)\} (?P<count>[0-9.e+]+)$")


async def latency_buckets(metrics_url: str, operation: str, namespace: str) -> dict[float, float]:
    """Cumulative counts by upper bound (seconds) of the frontend's ``operation`` latency in
    ``namespace``: what a client's call waits for in the server."""
    async with httpx.AsyncClient(timeout=10) as http:
        text = (await http.get(metrics_url)).text
    buckets: dict[float, float] = {}
    for line in text.splitlines():
        match = LINE.match(line)
        if not match:
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', match["labels"]))
        wanted = (labels.get("operation"), labels.get("namespace"), labels.get("service_name"))
        if wanted == (operation, namespace, "frontend"):
            bound = math.inf if labels["le"] == "+Inf" else float(labels["le"])
            buckets[bound] = buckets.get(bound, 0.0) + float(match["count"])
    return buckets


def summary(before: dict[float, float], after: dict[float, float], over_ms: float) -> str:
    """The run's count, the bucket bound under which 99 % fall, and the share above ``over_ms``."""
    counts = {bound: after[bound] - before.get(bound, 0.0) for bound in sorted(after)}
    total = counts.get(math.inf, 0.0)
    if total <= 0:
        return "no samples"
    p99 = next(bound for bound, seen in counts.items() if seen >= 0.99 * total)
    within = max((seen for bound, seen in counts.items() if bound <= over_ms / 1000), default=0)
    return (
        f"n={total:.0f} p99<={p99 * 1000:.0f} ms "
        f"over_{over_ms:.0f}ms={100 * (total - within) / total:.1f}%"
    )
