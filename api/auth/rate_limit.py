"""Per-user and per-API-key rate limits (moving window, ``limits``), in memory or in Redis.

With ``ATRIUM_API__RATE_LIMIT_STORAGE=redis://...`` every API replica counts in the same place, so
a client cannot multiply its allowance by spreading calls over replicas. If Redis stops answering
the API lets calls through (and logs it): availability of the school's hub beats strict limits.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import cast

import structlog
from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

log = structlog.get_logger("api.rate_limit")


def async_storage_uri(uri: str) -> str:
    """``limits`` names its asyncio storages ``async+memory://`` and ``async+redis://``."""
    return uri if uri.startswith("async+") else f"async+{uri}"


def make_storage(uri: str, key_prefix: str = "atrium") -> Storage:
    options = {} if uri.startswith("memory") else {"key_prefix": key_prefix}
    return cast(Storage, storage_from_string(async_storage_uri(uri), **options))


@dataclass(frozen=True)
class RateState:
    allowed: bool
    limit: int
    remaining: int
    reset_after: int  # seconds until the window has room again

    def headers(self) -> dict[str, str]:
        out = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_after),
        }
        if not self.allowed:
            out["Retry-After"] = str(max(1, self.reset_after))
        return out


class RateLimiter:
    def __init__(
        self, storage_uri: str, per_caller: str, per_login: str, per_login_address: str
    ) -> None:
        self.storage = make_storage(storage_uri, key_prefix="atrium-api")
        self._limiter = MovingWindowRateLimiter(self.storage)
        self.per_caller: RateLimitItem = parse(per_caller)
        self.per_login: RateLimitItem = parse(per_login)  # attempts per address and username
        self.per_login_address: RateLimitItem = parse(per_login_address)  # failures per address

    async def allows(self, item: RateLimitItem, *identity: str) -> bool:
        """Whether one more call fits, without counting one (True when the storage is down)."""
        try:
            return await self._limiter.test(item, *identity)
        except Exception as exc:
            log.warning("rate limit storage unavailable", error=type(exc).__name__)
            return True

    async def hit(self, item: RateLimitItem, *identity: str) -> RateState | None:
        """Count one call; None when the storage is unreachable (the call is let through)."""
        try:
            allowed = await self._limiter.hit(item, *identity)
            stats = await self._limiter.get_window_stats(item, *identity)
        except Exception as exc:
            log.warning("rate limit storage unavailable", error=type(exc).__name__)
            return None
        return RateState(
            allowed=allowed,
            limit=item.amount,
            remaining=max(0, stats.remaining),
            reset_after=max(0, math.ceil(stats.reset_time - time.time())),
        )
