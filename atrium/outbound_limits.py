"""Outbound limits: how hard Atrium may push each school system, across every worker.

    async with outbound_slot("canvas-main"):
        await client.get(...)

waits until the connection has both a free concurrency slot and room in its requests-per-second
window (settings ``outbound``: a default, and ``per_integration`` overrides). The window is a
``limits`` moving window; with ``ATRIUM_OUTBOUND__STORAGE=redis://...`` it and the concurrency
slots live in Redis, so the limit holds for all workers together, not per process. Slots are Redis
locks with a lease, so a worker that dies mid-call frees its slot when the lease runs out.

Waiting longer than ``max_wait_seconds`` raises ``OutboundBusy``, a transient error: the activity
fails this attempt and Temporal retries it later, instead of a worker sleeping forever.

An observer (``set_outbound_observer``) hears of each call through a slot: how long it waited for
the budget and how it ended; capacity advice records it (atrium/capacity/usage.py).
"""

from __future__ import annotations

import asyncio
import time
import uuid
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from atrium.settings import OutboundLimit, OutboundSettings

_POLL_SECONDS = 0.02
_LEASE_SECONDS = 300  # longest call a slot is held for before Redis frees it


# (connection, seconds waited for the slot, the exception the call raised or None)
OutboundObserver = Callable[[str, float, BaseException | None], None]
_observer: OutboundObserver | None = None


def set_outbound_observer(observer: OutboundObserver | None) -> OutboundObserver | None:
    """Who hears of each call through a slot; returns the observer it replaces."""
    global _observer
    previous, _observer = _observer, observer
    return previous


class OutboundBusy(Exception):
    """No slot for this connection within max_wait_seconds; retrying later can help."""


class OutboundLimiter:
    def __init__(self, settings: OutboundSettings) -> None:
        self.settings = settings
        uri = settings.storage
        self._redis: Any = None
        if uri.startswith("memory"):
            storage = storage_from_string(f"async+{uri}")
        else:
            import redis.asyncio as redis_asyncio

            storage = storage_from_string(f"async+{uri}", key_prefix="atrium-out")
            self._redis = redis_asyncio.from_url(uri)
        self._rates = MovingWindowRateLimiter(storage)  # type: ignore[arg-type]
        self._local: dict[str, asyncio.Semaphore] = {}

    def limit_for(self, integration: str) -> OutboundLimit:
        return self.settings.per_integration.get(integration, self.settings.default)

    @asynccontextmanager
    async def slot(self, integration: str) -> AsyncIterator[None]:
        limit = self.limit_for(integration)
        deadline = time.monotonic() + self.settings.max_wait_seconds
        async with self._concurrency(integration, limit.concurrency, deadline):
            await self._rate(integration, parse(limit.rate), deadline)
            yield

    async def _rate(self, integration: str, item: RateLimitItem, deadline: float) -> None:
        while not await self._rates.hit(item, "outbound", integration):
            stats = await self._rates.get_window_stats(item, "outbound", integration)
            wait = max(_POLL_SECONDS, min(stats.reset_time - time.time(), 1.0))
            if time.monotonic() + wait > deadline:
                raise OutboundBusy(f"{integration}: request rate {item} reached")
            await asyncio.sleep(wait)

    @asynccontextmanager
    async def _concurrency(
        self, integration: str, slots: int, deadline: float
    ) -> AsyncIterator[None]:
        if self._redis is None:  # one process: an asyncio semaphore is exact
            semaphore = self._local.setdefault(integration, asyncio.Semaphore(slots))
            try:
                remaining = max(0.0, deadline - time.monotonic())
                await asyncio.wait_for(semaphore.acquire(), timeout=remaining)
            except TimeoutError:
                raise OutboundBusy(f"{integration}: {slots} calls already in flight") from None
            try:
                yield
            finally:
                semaphore.release()
            return
        token = uuid.uuid4().hex
        while True:
            for index in range(slots):  # the first free numbered slot is ours
                key = f"atrium-out:slot:{integration}:{index}"
                if await self._redis.set(key, token, nx=True, ex=_LEASE_SECONDS):
                    try:
                        yield
                    finally:
                        await self._release(key, token)
                    return
            if time.monotonic() > deadline:
                raise OutboundBusy(f"{integration}: {slots} calls already in flight")
            await asyncio.sleep(_POLL_SECONDS)

    async def _release(self, key: str, token: str) -> None:
        # Delete only our own lease (it may have expired and been taken by another worker).
        script = (
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end"
        )
        await self._redis.eval(script, 1, key, token)

    async def aclose(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()


_settings = OutboundSettings()
# One limiter per event loop: its in-memory window and semaphores belong to the loop that made
# them. A process normally has one loop; tests run the API's loop beside the worker's.
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, OutboundLimiter] = (
    weakref.WeakKeyDictionary()
)


def configure(settings: OutboundSettings) -> None:
    """Set the process's limits (worker.py and the API's eager worker call this at start-up)."""
    global _settings
    _settings = settings
    _limiters.clear()


@asynccontextmanager
async def outbound_slot(integration: str) -> AsyncIterator[None]:
    """Wait for room to call ``integration`` (configured limits, or the defaults)."""
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = OutboundLimiter(_settings)
    started = time.monotonic()
    waited: float | None = None
    failed: BaseException | None = None
    try:
        async with limiter.slot(integration):
            waited = time.monotonic() - started
            yield
    except BaseException as exc:  # the call's failure, or OutboundBusy: no slot in time
        failed = exc
        raise
    finally:
        if _observer is not None:
            _observer(integration, time.monotonic() - started if waited is None else waited, failed)
