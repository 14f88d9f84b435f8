"""What every campus activity needs: its connection row, and connector errors in Temporal's terms.

A connector error says whether a retry can help; Temporal decides through ``non_retryable`` and
``next_retry_delay``, so the translation lives in one place.

``origin_guard`` is the one check every secret read of the worker passes (installed on its
``Credentials`` by worker.py): a connection's secret goes only to the origin it was stored for,
and only toward a URL the egress guard allows.
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

from atrium import egress
from atrium.credentials import CredentialError, Credentials, OriginGuard, origin_of
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


async def secret(credentials: Credentials, name: str, for_url: str | None = None) -> dict[str, str]:
    """The connection's secret fields; Vault being down is transient."""
    try:
        return await credentials.read(name, for_url=for_url)
    except CredentialError as exc:
        raise ApplicationError(str(exc), type="VaultUnavailable") from None


def _refuse(message: str, kind: str) -> ApplicationError:
    return ApplicationError(message, type=kind, non_retryable=True)


def check_origin(name: str, bound: str | None, url: str) -> None:
    """ApplicationError (permanent, saying what to do) unless the secret of connection ``name``,
    bound to ``bound``, may go to ``url``."""
    try:
        current = origin_of(url)
    except ValueError as exc:
        raise _refuse(
            f"connection {name!r}: base_url is unusable ({exc})", "InvalidRequest"
        ) from None
    if bound is None:
        # Secrets stored before they were bound to an origin are refused, not bound on first use:
        # the row may already point somewhere else. README, "Credentials and origins".
        raise _refuse(
            f"the secret of {name!r} was stored before secrets were bound to an origin; the "
            f"connection points at {current}; store the secret again for it (secrets:write)",
            "SecretOriginMismatch",
        )
    if bound != current:
        raise _refuse(
            f"the secret of {name!r} was stored for {bound}; the connection now points at "
            f"{current}; store the secret again for the new origin (secrets:write)",
            "SecretOriginMismatch",
        )


async def check_egress(name: str, url: str) -> None:
    """ApplicationError (permanent) when the egress guard refuses ``url``. A host that does not
    resolve now passes: the connection fails (and is retried) when it dials."""
    try:
        await egress.policy().check(url)
    except egress.EgressRefused as exc:
        raise _refuse(
            f"connection {name!r}: refused by the egress guard: base_url: {exc}", "EgressRefused"
        ) from None
    except egress.HostNotFound:
        pass


def origin_guard(engine: Engine) -> OriginGuard:
    """The worker's check on every secret read: for a connection's secret, the URL the client
    calls and the connection's current base URL must both be of the bound origin and allowed by
    the egress guard. A secret of no connection (webhook, subscriber signing) is never sent to
    one by name, so it passes."""

    async def check(name: str, bound: str | None, for_url: str | None) -> None:
        row = await asyncio.to_thread(_row, engine, name)
        urls = dict.fromkeys(u for u in (for_url, row.base_url if row else None) if u)
        for url in urls:
            check_origin(name, bound, url)
            await check_egress(name, url)

    return check


def setting(row: Integration, fields: dict[str, str], key: str, default: str = "") -> str:
    """A connection setting: the row's non-secret ``options`` first, then the secret's fields."""
    options = getattr(row, "options", None) or {}
    value = options.get(key) if isinstance(options, dict) else None
    return str(value) if value not in (None, "") else fields.get(key) or default


def host_of(base_url: str) -> str:
    return urlsplit(base_url).hostname or "127.0.0.1"


def translate(exc: ConnectorError) -> ApplicationError:
    """Permanent connector errors stop retries; a rate limit asks Temporal to wait as told. The
    system that failed travels in the details, for the run's explanation (api/run_failure.py)."""
    details = ({"system": exc.system},) if exc.system else ()
    if isinstance(exc, RateLimited):
        return ApplicationError(
            exc.message,
            *details,
            type="RateLimited",
            next_retry_delay=timedelta(seconds=max(exc.retry_after, 0.1)),
        )
    return ApplicationError(
        exc.message, *details, type=type(exc).__name__, non_retryable=not exc.retryable
    )


def limited(client: H, name: str) -> H:
    """``client`` with connection ``name``'s outbound budget (shared by all workers) applied."""
    client.gate = partial(outbound_slot, name)
    return client
