"""What every campus activity needs: its connection row, and connector errors in Temporal's terms.

A connector error says whether a retry can help; Temporal decides through ``non_retryable`` and
``next_retry_delay``, so the translation lives in one place.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from functools import partial
from typing import TypeVar
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio.exceptions import ApplicationError

from atrium.credentials import CredentialError, Credentials
from atrium.db import session_scope
from atrium.models import Integration
from atrium.outbound_limits import outbound_slot
from connectors.errors import ConnectorError, RateLimited
from connectors.http import HttpConnector

H = TypeVar("H", bound=HttpConnector)


def _row(engine: Engine, name: str) -> Integration | None:
    with session_scope(engine) as session:
        return session.exec(select(Integration).where(Integration.name == name)).first()


async def integration(engine: Engine, name: str, *systems: str) -> Integration:
    """The enabled connection ``name`` of one of ``systems``; a permanent error otherwise."""
    row = await asyncio.to_thread(_row, engine, name)
    if row is None or row.system not in systems:
        raise ApplicationError(
            f"integration {name!r} is not a {' or '.join(systems)} connection",
            type="NotFound",
            non_retryable=True,
        )
    if not row.enabled:
        raise ApplicationError(
            f"integration {name!r} is disabled", type="Disabled", non_retryable=True
        )
    return row


async def secret(credentials: Credentials, name: str) -> dict[str, str]:
    """The connection's secret fields; Vault being down is transient."""
    try:
        return await credentials.read(name)
    except CredentialError as exc:
        raise ApplicationError(str(exc), type="VaultUnavailable") from None


def setting(row: Integration, fields: dict[str, str], key: str, default: str = "") -> str:
    """A connection setting: the row's non-secret ``options`` first, then the secret's fields."""
    options = getattr(row, "options", None) or {}
    value = options.get(key) if isinstance(options, dict) else None
    return str(value) if value not in (None, "") else fields.get(key) or default


def host_of(base_url: str) -> str:
    return urlsplit(base_url).hostname or "127.0.0.1"


def translate(exc: ConnectorError) -> ApplicationError:
    """Permanent connector errors stop retries; a rate limit asks Temporal to wait as told."""
    if isinstance(exc, RateLimited):
        return ApplicationError(
            str(exc),
            type="RateLimited",
            next_retry_delay=timedelta(seconds=max(exc.retry_after, 0.1)),
        )
    return ApplicationError(str(exc), type=type(exc).__name__, non_retryable=not exc.retryable)


def limited(client: H, name: str) -> H:
    """``client`` with connection ``name``'s outbound budget (shared by all workers) applied."""
    client.gate = partial(outbound_slot, name)
    return client
