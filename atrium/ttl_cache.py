"""A small async cache whose entries expire after a fixed time.

Used where a hot path would otherwise ask Vault or the database on every call (webhook secrets,
routing rules, subscriptions): a change is picked up within ``ttl`` seconds, and concurrent
misses for one key share a single load instead of stampeding the backend. An expired entry is
still served while its refresh runs in the background, so a slow backend (or a busy thread pool)
never stalls the hot path once a value is known.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class TTLCache(Generic[K, V]):
    def __init__(
        self, ttl: float, load: Callable[[K], Awaitable[V]], max_entries: int = 1024
    ) -> None:
        self.ttl = ttl
        self._load = load
        self._max_entries = max_entries
        self._entries: dict[K, tuple[float, V]] = {}
        self._loading: dict[K, asyncio.Future[V]] = {}
        self._refreshing: dict[K, asyncio.Task[None]] = {}  # background refreshes under way

    def age(self, key: K) -> float | None:
        """Seconds since ``key`` was loaded, or None when it is not cached."""
        entry = self._entries.get(key)
        return None if entry is None else time.monotonic() - entry[0]

    def invalidate(self, key: K | None = None) -> None:
        if key is None:
            self._entries.clear()
        else:
            self._entries.pop(key, None)

    async def get(self, key: K) -> V:
        entry = self._entries.get(key)
        if entry is not None and time.monotonic() - entry[0] < self.ttl:
            return entry[1]
        pending = self._loading.get(key)
        if entry is not None and self.ttl > 0:  # ttl 0 means: no caching at all
            if pending is None and key not in self._refreshing:
                self._refreshing[key] = asyncio.create_task(self._refresh(key))
            return entry[1]
        if pending is not None:
            return await asyncio.shield(pending)
        return await self._fetch(key)

    async def _refresh(self, key: K) -> None:
        try:
            with contextlib.suppress(Exception):  # the stale value stays; a later get retries
                await self._fetch(key)
        finally:
            self._refreshing.pop(key, None)

    async def _fetch(self, key: K) -> V:
        future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        self._loading[key] = future
        try:
            value = await self._load(key)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters re-raise it, nobody else must
            raise
        finally:
            self._loading.pop(key, None)
        if len(self._entries) >= self._max_entries:
            self._entries.pop(next(iter(self._entries)))
        self._entries[key] = (time.monotonic(), value)
        future.set_result(value)
        return value
