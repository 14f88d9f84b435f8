"""The origin guard: the one check every secret read of the worker passes (installed on its
``Credentials`` by worker.py). A connection's secret goes only to the origin it was stored for,
and only toward a URL the egress guard allows.

Everything else an activity needs of a connection (lookup, secret, kept client, outbound budget,
error translation) is activities/runtime.py's.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.engine import Engine
from temporalio.exceptions import ApplicationError

from activities.runtime import find_connection
from atrium import egress
from atrium.credentials import OriginGuard, origin_of


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
        row = await asyncio.to_thread(find_connection, engine, name)
        urls = dict.fromkeys(u for u in (for_url, row.base_url if row else None) if u)
        for url in urls:
            check_origin(name, bound, url)
            await check_egress(name, url)

    return check
