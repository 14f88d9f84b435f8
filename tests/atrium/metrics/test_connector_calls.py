"""Every connector HTTP call is measured by system, catalog action and status, and read from a
worker's Atrium endpoint the way Prometheus scrapes it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from atrium.metrics.calls import install
from connectors.actions import action
from connectors.errors import NotFound, ServerError
from connectors.http import HttpConnector, set_call_observer
from tests.support.metrics import samples, scrape, worker_endpoint


def answer(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/slow":
        raise httpx.ReadTimeout("no answer", request=request)
    if request.url.path == "/missing":
        return httpx.Response(404, json={"error": "no such thing"})
    return httpx.Response(201 if request.method == "POST" else 200, json={"ok": True})


class Probe(HttpConnector):
    system = "metricsprobe"

    def __init__(self) -> None:
        super().__init__("http://probe.test", transport=httpx.MockTransport(answer))

    async def read(self, path: str) -> None:
        await self._request("GET", path)

    @action("metricsprobe.create_thing", effect="write", key="id")
    async def create(self, id: str) -> None:
        """Create a thing."""
        await self._request("POST", "/things", json={"id": id})

    @action("metricsprobe.find_thing", effect="read")
    async def find(self, path: str) -> None:
        """Find a thing."""
        await self._request("GET", path)


@pytest.fixture
def endpoint() -> Iterator[str]:
    install()
    with worker_endpoint() as url:
        yield url


def count(text: str, name: str, **labels: str) -> float:
    return samples(text, name, system="metricsprobe", **labels)


async def test_latency_and_errors_by_system_action_and_status(endpoint: str) -> None:
    before = scrape(endpoint)
    async with Probe() as probe:
        await probe.read("/things")
        await probe.create("t-1")
        with pytest.raises(NotFound):
            await probe.find("/missing")
        with pytest.raises(ServerError):
            await probe.find("/slow")
    after = scrape(endpoint)

    def moved(name: str, **labels: str) -> float:
        return count(after, name, **labels) - count(before, name, **labels)

    calls = "atrium_connector_call_seconds_count"
    errors = "atrium_connector_call_errors_total"
    assert moved(calls, action="none", status="200") == 1  # a read outside any action
    assert moved(calls, action="metricsprobe.create_thing", status="201") == 1
    assert moved(calls, action="metricsprobe.find_thing", status="404") == 1
    assert moved(calls, action="metricsprobe.find_thing", status="timeout") == 1
    assert moved(errors, action="metricsprobe.find_thing", status="404") == 1
    assert moved(errors, action="metricsprobe.find_thing", status="timeout") == 1
    assert moved(errors, status="200") == moved(errors, status="201") == 0  # successes
    assert moved("atrium_connector_call_seconds_sum") > 0
    # The histogram has a bucket at 1 s: all four calls (in-memory transport) fall under it.
    assert moved("atrium_connector_call_seconds_bucket", le="1.0") == 4


async def test_a_failing_observer_never_fails_the_call() -> None:
    def broken(call: object) -> None:
        raise RuntimeError("metrics backend broken")

    set_call_observer(broken)
    try:
        async with Probe() as probe:
            await probe.read("/things")  # answered, although the observer raised
    finally:
        install()
