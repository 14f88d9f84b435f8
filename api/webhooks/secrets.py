"""Webhook signing secrets from Vault (``atrium.webhook_secrets``), cached in memory for a short
TTL.

A rotation is picked up when the entry expires; sooner if a signature fails to match an entry
older than ``refresh_after`` seconds (the sender may already sign with the new secret). The
floor keeps a flood of forged requests from turning into a flood of Vault reads.
"""

from __future__ import annotations

from atrium.ttl_cache import TTLCache
from atrium.webhook_secrets import WebhookSecretKey, WebhookSecrets


class SigningSecrets:
    def __init__(self, store: WebhookSecrets, ttl: float, refresh_after: float = 5.0) -> None:
        self.store = store
        self.refresh_after = refresh_after
        self._keys: dict[str, WebhookSecretKey] = {}  # path -> key, for the loader
        self._cache: TTLCache[str, str] = TTLCache(ttl, self._read)

    async def _read(self, path: str) -> str:
        return (await self.store.read(self._keys[path]))["secret"]

    async def get(self, key: WebhookSecretKey) -> str:
        self._keys[key.path] = key
        return await self._cache.get(key.path)

    async def refreshed(self, key: WebhookSecretKey) -> str | None:
        """A fresh read after a mismatch, or None when the cached one is too recent to doubt."""
        age = self._cache.age(key.path)
        if age is None or age < self.refresh_after:
            return None
        self._cache.invalidate(key.path)
        return await self.get(key)

    def forget(self, key: WebhookSecretKey) -> None:
        self._cache.invalidate(key.path)
