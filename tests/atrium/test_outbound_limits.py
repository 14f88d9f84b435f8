"""Outbound limits per connection: concurrency and request rate, in one process and across
"workers" sharing Redis."""

from __future__ import annotations

import asyncio
import socket
import time
import uuid

import pytest

from atrium.outbound_limits import OutboundBusy, OutboundLimiter
from atrium.settings import OutboundLimit, OutboundSettings


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


async def _max_in_flight(limiters: list[OutboundLimiter], name: str, calls: int) -> int:
    in_flight = peak = 0

    async def call(limiter: OutboundLimiter) -> None:
        nonlocal in_flight, peak
        async with limiter.slot(name):
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.03)
            in_flight -= 1

    await asyncio.gather(*(call(limiters[i % len(limiters)]) for i in range(calls)))
    return peak


async def test_concurrency_and_rate_in_one_process() -> None:
    name = f"sis-{uuid.uuid4().hex[:6]}"
    settings = OutboundSettings(
        per_integration={name: OutboundLimit(rate="10/second", concurrency=2)}
    )
    limiter = OutboundLimiter(settings)
    assert await _max_in_flight([limiter], name, 8) == 2
    other = OutboundLimiter(settings)  # a fresh window for the rate measurement
    started = time.perf_counter()
    for _ in range(15):
        async with other.slot(name):
            pass
    # 10 fit in the first second; the other 5 wait for the moving window to move.
    assert 0.9 < time.perf_counter() - started < 3
    assert limiter.limit_for("unknown").concurrency == settings.default.concurrency


async def test_waiting_too_long_raises_a_transient_error() -> None:
    name = f"lms-{uuid.uuid4().hex[:6]}"
    limiter = OutboundLimiter(
        OutboundSettings(
            per_integration={name: OutboundLimit(rate="1/minute", concurrency=1)},
            max_wait_seconds=0.2,
        )
    )
    async with limiter.slot(name):
        pass
    with pytest.raises(OutboundBusy, match="rate"):
        async with limiter.slot(name):
            pass


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
async def test_two_workers_share_the_limits_through_redis() -> None:
    name = f"fin-{uuid.uuid4().hex[:6]}"
    settings = OutboundSettings(
        storage="redis://127.0.0.1:6379/0",
        per_integration={name: OutboundLimit(rate="1000/second", concurrency=2)},
    )
    workers = [OutboundLimiter(settings), OutboundLimiter(settings)]
    try:
        assert await _max_in_flight(workers, name, 12) == 2  # 2 in total, not 2 per worker
        rate = OutboundSettings(
            storage=settings.storage,
            per_integration={name + "-r": OutboundLimit(rate="5/second", concurrency=10)},
        )
        a, b = OutboundLimiter(rate), OutboundLimiter(rate)
        started = time.perf_counter()
        for i in range(8):
            async with (a, b)[i % 2].slot(name + "-r"):
                pass
        assert time.perf_counter() - started > 0.9  # 5 per second across both, not 5 each
        await a.aclose()
        await b.aclose()
    finally:
        for worker in workers:
            await worker.aclose()
