"""Read metrics the way Prometheus does: an HTTP scrape, parsed by prometheus-client's parser."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from prometheus_client.parser import text_string_to_metric_families

from atrium.metrics.serve import serve
from tests.support.servers import free_port

SUFFIXES = {
    "counter": ("",),  # the text format declares a counter by its _total name
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "gauge": ("",),
    "summary": ("", "_count", "_sum", "_created"),
}


def samples(text: str, name: str, **labels: str) -> float:
    """The sum of the samples called ``name`` whose labels include ``labels`` (0 if none)."""
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and labels.items() <= sample.labels.items():
                total += sample.value
    return total


def declared(text: str) -> set[str]:
    """Every sample name the exposition declares (``# TYPE``), whether or not any label set has
    been recorded yet, plus the sample names present."""
    names = set(re.findall(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)", text, re.M))
    for name, kind in re.findall(r"^# TYPE (\S+) (\S+)", text, re.M):
        names |= {name + suffix for suffix in SUFFIXES.get(kind, ("",))}
    return names


@contextmanager
def worker_endpoint() -> Iterator[str]:
    """A worker's Atrium metrics endpoint (atrium/metrics/serve.py) on a free port."""
    server, thread = serve("127.0.0.1", free_port())
    try:
        yield f"http://127.0.0.1:{server.server_port}/metrics"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def scrape(url: str, key: str | None = None) -> str:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    answer = httpx.get(url, headers=headers, timeout=10)
    answer.raise_for_status()
    return answer.text
