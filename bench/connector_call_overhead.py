"""What measuring a connector call costs: the same calls through HttpConnector over an in-memory
transport (no network, so the overhead is not hidden in a system's latency), without an observer,
with Atrium's metrics (prometheus-client), and with the Temporal runtime meter for comparison.

    python -m bench.connector_call_overhead [calls]
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import sys
import time
import timeit
from functools import partial

import httpx
import structlog
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from atrium.metrics.calls import install
from connectors.actions import action
from connectors.http import Call, CallObserver, HttpConnector, set_call_observer
from tests.support.servers import free_port


class Bench(HttpConnector):
    system = "bench"

    def __init__(self) -> None:
        transport = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
        super().__init__("http://bench.test", transport=transport)

    @action("bench.get", effect="read")
    async def get(self) -> None:
        """One call."""
        await self._request("GET", "/x")


def temporal_meter() -> CallObserver:
    exporter = PrometheusConfig(
        bind_address=f"127.0.0.1:{free_port()}"
    )  # else the meter is a no-op
    meter = Runtime(telemetry=TelemetryConfig(metrics=exporter)).metric_meter
    seconds = meter.create_histogram_float("atrium_connector_call_seconds", unit="s")

    def observe(call: Call) -> None:
        status = call.error or str(call.status)
        labels = {"system": call.system, "action": call.action or "none", "status": status}
        seconds.with_additional_attributes(labels).record(call.seconds)

    return observe


async def per_call(calls: int) -> float:
    async with Bench() as bench:
        for _ in range(200):  # warm up
            await bench.get()
        started = time.perf_counter()
        for _ in range(calls):
            await bench.get()
        return (time.perf_counter() - started) / calls * 1e6


async def main(calls: int) -> None:
    # As in production (info level): the per-call debug line would dwarf what is measured.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.INFO))
    observers: dict[str, CallObserver | None] = {"none": None, "temporal meter": temporal_meter()}
    results: dict[str, list[float]] = {"none": [], "prometheus-client": [], "temporal meter": []}
    for _ in range(5):  # interleaved rounds: the machine's load drifts
        for name in results:
            if name == "prometheus-client":
                install()
            else:
                set_call_observer(observers[name])
            results[name].append(await per_call(calls))
    set_call_observer(None)
    base = statistics.median(results["none"])
    print("whole call (in-memory transport), median of 5 rounds:")
    for name, values in results.items():
        median = statistics.median(values)
        print(f"  {name:18} {median:7.1f} us/call  ({median - base:+6.1f} us)")
    # The whole call is noisy on a shared machine; the observer alone is what a call gains.
    from atrium.metrics.calls import observe

    call = Call("bench", "bench.get", "GET", 200, 0.0123, None)
    print("the observer alone, best of 5 x 100000:")
    for name, observer in (("prometheus-client", observe), ("temporal meter", temporal_meter())):
        best = min(timeit.repeat(partial(observer, call), number=100_000, repeat=5))
        print(f"  {name:18} {best / 100_000 * 1e6:7.2f} us/call")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000))
