"""How a connector gets its secret without knowing where it is kept.

Connectors take a ``CredentialSource``: an async callable returning the current secret fields
(for example ``{"token": ...}`` or ``{"client_id": ..., "client_secret": ...}``). Atrium passes one
that reads Vault; tests may pass a constant. A connector calls it again after a 401, so a rotated
secret is picked up without a restart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

CredentialSource = Callable[[], Awaitable[Mapping[str, str]]]


def static_credentials(values: Mapping[str, str]) -> CredentialSource:
    """A source that always returns ``values`` (for scripts and tests)."""
    frozen = dict(values)

    async def source() -> Mapping[str, str]:
        return frozen

    return source
