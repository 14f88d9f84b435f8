"""Webhook signing secrets from Vault, cached in memory for a short TTL.

A rotation is picked up when the entry expires; sooner if a signature fails to match an entry
older than ``refresh_after`` seconds (the sender may already sign with the new secret). The
floor keeps a flood of forged requests from turning into a flood of Vault reads.
"""

from __future__ import annotations

from atrium.credentials import Credentials
from atrium.ttl_cache import TTLCache


class SourceSecrets:
    def __init__(self, credentials: Credentials, ttl: float, refresh_after: float = 5.0) -> None:
        self.credentials = credentials
        self.refresh_after = refresh_after
        self._cache: TTLCache[str, str] = TTLCache(ttl, self._read)

    async def _read(self, name: str) -> str:
        return (await self.credentials.read(name))["secret"]

    async def get(self, name: str) -> str:
        return await self._cache.get(name)

    async def refreshed(self, name: str) -> str | None:
        """A fresh read after a mismatch, or None when the cached one is too recent to doubt."""
        age = self._cache.age(name)
        if age is None or age < self.refresh_after:
            return None
        self._cache.invalidate(name)
        return await self._cache.get(name)

    def forget(self, name: str) -> None:
        self._cache.invalidate(name)
