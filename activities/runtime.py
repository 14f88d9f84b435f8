"""The one ground every activity stands on: a connection looked up (enabled, of the right system),
its secret from Vault, a client built once and kept until the connection changes or its secret is
rotated, the connection's outbound budget, and connector errors in Temporal's terms.

A connector error says whether a retry can help; Temporal decides through ``non_retryable`` and
``next_retry_delay``, so the translation lives here and nowhere else.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from atrium.credentials import CredentialError, Credentials
from atrium.db import session_scope
from atrium.models import Integration
from atrium.outbound_limits import outbound_slot
from connectors.credentials import CredentialSource
from connectors.errors import AuthError, ConnectorError, RateLimited
from connectors.http import HttpConnector

H = TypeVar("H", bound=HttpConnector)
Build = Callable[[str, CredentialSource], H]


def heartbeat(detail: Any) -> None:
    """Tell Temporal the activity is alive (a no-op outside one: benchmarks, tools)."""
    if activity.in_activity():
        activity.heartbeat(detail)


def failure_of(exc: ConnectorError) -> ApplicationError:
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


def setting(row: Integration, fields: Mapping[str, str], key: str, default: str = "") -> str:
    """A connection setting: the row's non-secret ``options`` first, then the secret's fields."""
    options = getattr(row, "options", None) or {}
    value = options.get(key) if isinstance(options, dict) else None
    return str(value) if value not in (None, "") else fields.get(key) or default


def host_of(base_url: str) -> str:
    return urlsplit(base_url).hostname or "127.0.0.1"


def find_connection(engine: Engine, name: str) -> Integration | None:
    """Connection ``name``'s row, whatever its state (the one lookup by name of activities)."""
    with session_scope(engine) as session:
        return Integration.named(session, name)


def _refuse(message: str, kind: str) -> ApplicationError:
    return ApplicationError(message, type=kind, non_retryable=True)


class Runtime:
    """Shared by every activity class of a worker: one lookup, one secret path, one client cache,
    one error translation."""

    def __init__(self, engine: Engine, credentials: Credentials) -> None:
        self.engine = engine
        self.credentials = credentials
        # One client per connection for the worker's life: building an httpx client loads the CA
        # bundle (tens to hundreds of ms) and a token is good for many calls. Keyed by what the
        # client was built from, so a changed connection gets a new one.
        self._clients: dict[tuple[str, Any], tuple[tuple[str, str, str], Any]] = {}

    # -- connections ----------------------------------------------------------------------------

    def lookup(self, name: str) -> Integration | None:
        return find_connection(self.engine, name)

    def connection(self, name: str, *systems: str) -> Integration:
        """The enabled connection ``name`` (of one of ``systems`` when given); a permanent
        error naming what is wrong otherwise."""
        row = self.lookup(name)
        if row is None:
            raise _refuse(f"integration {name!r} not found", "NotFound")
        if systems and row.system not in systems:
            raise _refuse(
                f"integration {name!r} is a {row.system} connection, not {' or '.join(systems)}",
                "InvalidRequest",
            )
        if not row.enabled:
            raise _refuse(f"integration {name!r} is disabled", "Disabled")
        return row

    async def aconnection(self, name: str, *systems: str) -> Integration:
        return await asyncio.to_thread(self.connection, name, *systems)

    # -- secrets ---------------------------------------------------------------------------------

    def source(self, name: str, for_url: str | None = None) -> CredentialSource:
        """Connection ``name``'s secret for a client calling ``for_url``, read from Vault each
        time it is asked (the worker's origin guard checks every read)."""
        return self.credentials.source(name, for_url)

    async def secret(self, name: str, for_url: str | None = None) -> dict[str, str]:
        """The connection's secret fields now; Vault being down is transient."""
        try:
            return await self.credentials.read(name, for_url=for_url)
        except CredentialError as exc:
            raise ApplicationError(str(exc), type="VaultUnavailable") from None

    # -- clients ---------------------------------------------------------------------------------

    def client(self, row: Integration, build: Build[H]) -> H:
        """The kept client of connection ``row``, built by ``build(base_url, credentials)`` with
        the connection's outbound budget; rebuilt when the connection's URL or options change or
        after its secret was refused (see ``translate``). Callers do not close it."""
        key = (row.system, row.base_url, repr(sorted((row.options or {}).items())))
        kept = self._clients.get((row.name, build))
        if kept is None or kept[0] != key:
            if kept is not None:
                self._close_later(kept[1])
            client = limited(build(row.base_url, self.source(row.name, row.base_url)), row.name)
            kept = (key, client)
            self._clients[(row.name, build)] = kept
        return kept[1]  # type: ignore[no-any-return]

    def forget(self, name: str) -> None:
        """Drop connection ``name``'s kept client: the next call builds one with a fresh secret."""
        for held in [k for k in self._clients if k[0] == name]:
            self._close_later(self._clients.pop(held)[1])

    @staticmethod
    def _close_later(client: Any) -> None:
        close = getattr(client, "aclose", None)
        if close is None:
            return
        # Without a running loop (a tool) the client goes with the process.
        with suppress(RuntimeError):
            asyncio.get_running_loop().create_task(close())

    # -- errors ----------------------------------------------------------------------------------

    @contextmanager
    def translate(self, name: str | None = None) -> Iterator[None]:
        """Connector errors of the block as Temporal failures; an authentication failure also
        drops connection ``name``'s kept client, so the retry reads the rotated secret."""
        try:
            yield
        except ConnectorError as exc:
            if name is not None and isinstance(exc, AuthError):
                self.forget(name)
            raise failure_of(exc) from exc
