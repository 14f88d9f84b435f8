"""The TTL cache behind webhook secrets, routing rules and subscriptions."""

from __future__ import annotations

import asyncio

import pytest

from atrium.ttl_cache import TTLCache


class Counter:
    def __init__(self, fail: bool = False) -> None:
        self.calls = 0
        self.fail = fail

    async def load(self, key: str) -> str:
        self.calls += 1
        await asyncio.sleep(0.02)
        if self.fail:
            raise RuntimeError("backend down")
        return f"{key}-{self.calls}"


async def test_concurrent_misses_share_one_load_and_hits_cost_nothing() -> None:
    backend = Counter()
    cache: TTLCache[str, str] = TTLCache(60, backend.load)
    assert await asyncio.gather(*(cache.get("a") for _ in range(10))) == ["a-1"] * 10
    assert await cache.get("a") == "a-1" and backend.calls == 1


async def test_expired_entry_is_served_while_it_refreshes() -> None:
    backend = Counter()
    cache: TTLCache[str, str] = TTLCache(0.05, backend.load)
    await cache.get("a")
    await asyncio.sleep(0.06)
    assert await cache.get("a") == "a-1"  # stale, at once; a refresh started
    await asyncio.sleep(0.05)
    assert await cache.get("a") == "a-2" and backend.calls == 2


async def test_invalidate_forces_a_fresh_load_and_errors_reach_the_caller() -> None:
    backend = Counter()
    cache: TTLCache[str, str] = TTLCache(60, backend.load)
    await cache.get("a")
    cache.invalidate("a")
    assert await cache.get("a") == "a-2"
    broken: TTLCache[str, str] = TTLCache(60, Counter(fail=True).load)
    with pytest.raises(RuntimeError, match="backend down"):
        await broken.get("a")


async def test_zero_ttl_never_caches() -> None:
    backend = Counter()
    cache: TTLCache[str, str] = TTLCache(0, backend.load)
    assert [await cache.get("a"), await cache.get("a")] == ["a-1", "a-2"]
