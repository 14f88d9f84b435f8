"""The API's JWT signing key: generated at first start and kept in Vault (never in a file).

Loaded lazily and cached, so the API starts (and /readyz explains) while Vault is down; once
loaded, tokens keep being checked even if Vault goes away.
"""

from __future__ import annotations

import asyncio
import secrets

from atrium.credentials import Credentials

SECRET_NAME = "api-signing-key"  # noqa: S105  # nosec B105  # a Vault path


class SigningKey:
    def __init__(self, credentials: Credentials) -> None:
        self._credentials = credentials
        self._key: bytes | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> bytes:
        if self._key is None:
            async with self._lock:
                if self._key is None:
                    values = await self._credentials.read_or_create_internal(
                        SECRET_NAME, lambda: {"hs256": secrets.token_urlsafe(64)}
                    )
                    self._key = values["hs256"].encode()  # 512 random bits, url-safe text
        return self._key
