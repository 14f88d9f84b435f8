"""Where inbound webhook signing secrets live in Vault: a namespace no other name can reach.

- a webhook source ``<name>``: ``webhooks/sources/<name>``;
- a vendor's integration (the proctoring platform's subscription of ``<integration>``):
  ``webhooks/vendors/<vendor>/<integration>``.

Connection secrets live under ``connections/<name>``, where a name holds no ``/``; every segment
here is validated, so one string never maps to two namespaces (before, source ``pz-webhook`` kept
its secret as ``webhook-pz-webhook``, exactly the name the proctoring route read for integration
``webhook-pz``).

Secrets stored under the old flat names are moved here the first time they are read, so a state
folder from before keeps working. A legacy secret is taken only in the shape its owner wrote it
(a source: ``{secret}``; a proctoring subscription: ``{secret, webhook_id}``), so a source's
secret can never be adopted as a vendor's or the other way round.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

import structlog

from atrium.credentials import NAME, Credentials, SecretNotFound

log = structlog.get_logger("webhooks")

SOURCE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
VENDOR_NAME = re.compile(r"^[a-z][a-z0-9]{0,30}$")
INTEGRATION_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")


@dataclass(frozen=True)
class WebhookSecretKey:
    path: str  # relative to the Vault prefix
    legacy_name: str | None = None  # the flat connection-secret name it may be moved from
    legacy_fields: frozenset[str] = frozenset()


def source_key(name: str, *, legacy: bool = False) -> WebhookSecretKey:
    """The signing secret of webhook source ``name``; ``legacy``: its row still names the old
    ``webhook-<name>`` secret (a source created before the namespaces)."""
    if not SOURCE_NAME.match(name):
        raise ValueError("webhook source name must be 1-63 of a-z, 0-9, '_', '-'")
    old = f"webhook-{name}" if legacy and NAME.match(f"webhook-{name}") else None
    return WebhookSecretKey(f"webhooks/sources/{name}", old, frozenset({"secret"}))


def vendor_key(vendor: str, integration: str) -> WebhookSecretKey:
    """The signing secret of ``vendor``'s webhooks for Atrium's integration ``integration``."""
    if not VENDOR_NAME.match(vendor):
        raise ValueError("vendor name must be 1-31 of a-z, 0-9, starting with a letter")
    if not INTEGRATION_NAME.match(integration):
        raise ValueError("integration name must be 1-63 of a-z, 0-9, '.', '_', '-'")
    old = f"{integration}-webhook" if vendor == "proctoring" else None
    old = old if old and NAME.match(old) else None
    return WebhookSecretKey(
        f"webhooks/vendors/{vendor}/{integration}", old, frozenset({"secret", "webhook_id"})
    )


class WebhookSecrets:
    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials

    async def read(self, key: WebhookSecretKey) -> dict[str, str]:
        try:
            return await self.credentials.read_at(key.path)
        except SecretNotFound:
            if key.legacy_name is None:
                raise
        return await self._adopt_legacy(key)

    async def _adopt_legacy(self, key: WebhookSecretKey) -> dict[str, str]:
        assert key.legacy_name is not None
        values = await self.credentials.read(key.legacy_name)
        if set(values) != key.legacy_fields:
            # Someone else's secret under a colliding flat name: not ours to take.
            raise SecretNotFound("no such secret")
        await self.credentials.store_at(key.path, values)
        with contextlib.suppress(SecretNotFound):
            await self.credentials.delete(key.legacy_name)
        log.info("webhook secret moved to its namespace", path=key.path)
        return values

    async def store(self, key: WebhookSecretKey, values: Mapping[str, str]) -> None:
        await self.credentials.store_at(key.path, values)

    async def delete(self, key: WebhookSecretKey) -> None:
        with contextlib.suppress(SecretNotFound):
            await self.credentials.delete_at(key.path)
        if key.legacy_name is not None:
            with contextlib.suppress(SecretNotFound):
                values = await self.credentials.read(key.legacy_name)
                if set(values) == key.legacy_fields:
                    await self.credentials.delete(key.legacy_name)
