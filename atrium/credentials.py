"""Connector secrets in Vault (KV v2): store, read (activities only), rotate, delete.

The API may write or rotate a secret but never returns one; only activities read them, through
``source`` which gives connectors a ``CredentialSource`` that re-reads Vault on demand.
hvac is synchronous, so every call runs in a worker thread.

A connection's secret is bound to the origin (scheme, host, port) it was stored for: the origin
is written in the same KV version as the secret, under ``ORIGIN_FIELD``, so a secret and its
binding can never be read apart. ``read`` strips that field (no connector ever sees or sends it)
and hands it to the ``origin_guard`` the worker installs (activities/connections.py), which
refuses the secret to a connection whose origin is not the bound one.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial

import httpx
import hvac
import hvac.exceptions

from atrium.settings import Settings, VaultSettings
from atrium.tls import vault_verify
from connectors.credentials import CredentialSource

MIN_RENEWED_LEASE_SECONDS = 10  # a renewal granting less than this means max TTL: log in again
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
# Atrium's own field beside a connection's secret fields: the origin the secret was stored for.
# API field names are 1-64 characters of the caller's choosing, so store() refuses this one.
ORIGIN_FIELD = "__atrium_origin__"
DEFAULT_PORTS = {"http": 80, "https": 443}

# (secret name, the origin it is bound to or None, the URL it is about to be sent to or None):
# raises to refuse the secret. Installed by the worker: atrium knows no integrations.
OriginGuard = Callable[[str, str | None, str | None], Awaitable[None]]


def origin_of(url: str) -> str:
    """``scheme://host:port`` of ``url``, lower case, IDNA, default port made explicit, the form
    secrets are bound to. ValueError for a URL without an http(s) scheme or a host."""
    try:
        parsed = httpx.URL(url)  # the parser connectors dial with: no disagreement to exploit
    except httpx.InvalidURL as exc:
        raise ValueError(f"not a valid URL: {exc}") from None
    if parsed.scheme not in DEFAULT_PORTS or not parsed.raw_host:
        raise ValueError("not an http:// or https:// URL with a host")
    host = parsed.raw_host.decode("ascii").rstrip(".")
    if ":" in host:  # IPv6
        host = f"[{host}]"
    return f"{parsed.scheme}://{host}:{parsed.port or DEFAULT_PORTS[parsed.scheme]}"


class CredentialError(Exception):
    """Vault refused or is unreachable; the message never contains a secret."""


class SecretNotFound(CredentialError):
    pass


@dataclass(frozen=True)
class SecretMeta:
    """What may be shown about a secret: never its value."""

    path: str
    version: int
    updated_at: datetime | None
    fields: list[str]


def secret_path(name: str) -> str:
    if not NAME.match(name):
        raise ValueError("secret name must be 1-63 of a-z, 0-9, '.', '_', '-'")
    return f"connections/{name}"


def approle_login(client: hvac.Client, settings: VaultSettings) -> int:
    """Log ``client`` in with AppRole; returns the token's lease in seconds (0: no expiry)."""
    assert settings.role_id and settings.secret_id
    answer = client.auth.approle.login(
        role_id=settings.role_id,
        secret_id=settings.secret_id.get_secret_value(),
        mount_point=settings.approle_mount,
    )
    return int(answer["auth"].get("lease_duration") or 0)


def vault_client(settings: VaultSettings, token: str | None = None) -> hvac.Client:
    """A client logged in as the settings say (blocking: call it from a thread)."""
    client = hvac.Client(url=settings.address, verify=vault_verify(settings), timeout=5)
    if settings.auth == "approle":
        approle_login(client, settings)
    else:
        client.token = token or (settings.token.get_secret_value() if settings.token else None)
    return client


class Credentials:
    def __init__(
        self,
        settings: VaultSettings,
        token: str | None = None,
        origin_guard: OriginGuard | None = None,
    ) -> None:
        self.settings = settings
        self._token = token
        self._client: hvac.Client | None = None
        # AppRole: when to renew the token (monotonic seconds); inf for a token without expiry.
        self._renew_at = 0.0 if settings.auth == "approle" else math.inf
        self.origin_guard = origin_guard

    @property
    def token(self) -> str | None:
        """The token given at construction (None: from settings or AppRole)."""
        return self._token

    def guarded(self, origin_guard: OriginGuard) -> Credentials:
        """The same Vault access, every read passing ``origin_guard`` (the worker's)."""
        copy = Credentials(self.settings, self._token, origin_guard)
        copy._client, copy._renew_at = self._client, self._renew_at
        return copy

    def _kv(self) -> hvac.api.secrets_engines.KvV2:
        return self._hvac().secrets.kv.v2

    def _hvac(self) -> hvac.Client:
        if self._client is None:
            self._client = hvac.Client(
                url=self.settings.address, verify=vault_verify(self.settings), timeout=5
            )
            if self.settings.auth == "token":  # AppRole logs in on the first call (_session)
                self._client.token = self._token or (
                    self.settings.token.get_secret_value() if self.settings.token else None
                )
        return self._client

    def _login(self) -> None:
        lease = approle_login(self._hvac(), self.settings)
        self._renew_at = time.monotonic() + lease * 2 / 3 if lease else math.inf

    def _session(self) -> None:
        """AppRole: log in the first time, renew the token at two thirds of its lease, and log in
        again when it can no longer be renewed (its max TTL reached, or revoked)."""
        if time.monotonic() < self._renew_at:
            return
        if self._hvac().token is None:
            self._login()
            return
        try:
            lease = int(self._hvac().auth.token.renew_self()["auth"].get("lease_duration") or 0)
        except hvac.exceptions.VaultError:
            lease = 0
        if lease < MIN_RENEWED_LEASE_SECONDS:
            self._login()
        else:
            self._renew_at = time.monotonic() + lease * 2 / 3

    def _path(self, name: str) -> str:
        return f"{self.settings.prefix}/{secret_path(name)}"

    def _attempt(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        self._session()
        try:
            return fn(*args, **kwargs)
        except hvac.exceptions.Forbidden:
            if self.settings.auth != "approle":
                raise
            self._login()  # the token expired or was revoked between renewals: once more
            return fn(*args, **kwargs)

    async def _call(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return await asyncio.to_thread(self._attempt, fn, *args, **kwargs)
        except hvac.exceptions.InvalidPath as exc:
            raise SecretNotFound("no such secret") from exc
        except hvac.exceptions.VaultError as exc:
            raise CredentialError(f"vault refused: {type(exc).__name__}") from exc
        except Exception as exc:  # connection errors from requests
            raise CredentialError(f"vault unreachable: {type(exc).__name__}") from exc

    async def store(
        self, name: str, values: Mapping[str, str], *, origin: str | None = None
    ) -> SecretMeta:
        """Write a new version (also how a secret is rotated), bound to ``origin`` (see
        ``origin_of``) when it is a connection's secret."""
        if not values:
            raise ValueError("a secret needs at least one field")
        if ORIGIN_FIELD in values:
            raise ValueError(f"{ORIGIN_FIELD} is a name Atrium keeps for itself")
        secret = dict(values) if origin is None else {**values, ORIGIN_FIELD: origin}
        result = await self._call(
            self._kv().create_or_update_secret,
            path=self._path(name),
            secret=secret,
            mount_point=self.settings.mount,
        )
        data = result["data"]
        return SecretMeta(
            path=self._path(name),
            version=int(data["version"]),
            updated_at=datetime.fromisoformat(data["created_time"].replace("Z", "+00:00")),
            fields=sorted(values),
        )

    rotate = store

    async def _fields(self, name: str) -> tuple[dict[str, str], str | None]:
        """The secret's fields and the origin it is bound to."""
        result = await self._call(
            self._kv().read_secret_version,
            path=self._path(name),
            mount_point=self.settings.mount,
            raise_on_deleted_version=True,
        )
        fields = dict(result["data"]["data"])
        return fields, fields.pop(ORIGIN_FIELD, None)

    async def read(self, name: str, *, for_url: str | None = None) -> dict[str, str]:
        """The secret's fields, for a client about to call ``for_url`` when given. Only
        activities call this; the origin guard, when installed, may refuse."""
        fields, bound = await self._fields(name)
        if self.origin_guard is not None:
            await self.origin_guard(name, bound, for_url)
        return fields

    async def bound_origin(self, name: str) -> str | None:
        """The origin the secret was stored for (None: stored before secrets were bound)."""
        return (await self._fields(name))[1]

    async def bind(self, name: str, origin: str) -> SecretMeta:
        """Store the secret's current fields again, bound to ``origin``."""
        fields, _ = await self._fields(name)
        return await self.store(name, fields, origin=origin)

    async def meta(self, name: str) -> SecretMeta:
        result = await self._call(
            self._kv().read_secret_version,
            path=self._path(name),
            mount_point=self.settings.mount,
            raise_on_deleted_version=True,
        )
        meta = result["data"]["metadata"]
        return SecretMeta(
            path=self._path(name),
            version=int(meta["version"]),
            updated_at=datetime.fromisoformat(meta["created_time"].replace("Z", "+00:00")),
            fields=sorted(set(result["data"]["data"]) - {ORIGIN_FIELD}),
        )

    async def delete(self, name: str) -> None:
        await self._call(
            self._kv().delete_metadata_and_all_versions,
            path=self._path(name),
            mount_point=self.settings.mount,
        )

    # Secrets kept outside the connections namespace (e.g. webhook signing secrets under
    # ``webhooks/``): ``path`` is relative to the prefix and built by its namespace's owner,
    # which validates every segment (``atrium.webhook_secrets``).
    async def read_at(self, path: str) -> dict[str, str]:
        result = await self._call(
            self._kv().read_secret_version,
            path=f"{self.settings.prefix}/{path}",
            mount_point=self.settings.mount,
            raise_on_deleted_version=True,
        )
        return dict(result["data"]["data"])

    async def store_at(self, path: str, values: Mapping[str, str]) -> None:
        if not values:
            raise ValueError("a secret needs at least one field")
        await self._call(
            self._kv().create_or_update_secret,
            path=f"{self.settings.prefix}/{path}",
            secret=dict(values),
            mount_point=self.settings.mount,
        )

    async def delete_at(self, path: str) -> None:
        await self._call(
            self._kv().delete_metadata_and_all_versions,
            path=f"{self.settings.prefix}/{path}",
            mount_point=self.settings.mount,
        )

    async def read_or_create_internal(
        self, name: str, make: Callable[[], dict[str, str]]
    ) -> dict[str, str]:
        """Atrium's own secret ``name`` (e.g. the API's JWT signing key), created by ``make`` on
        first use. Check-and-set (cas=0) makes replicas starting together agree on one value."""
        path = f"{self.settings.prefix}/internal/{secret_path(name).removeprefix('connections/')}"
        read = partial(
            self._kv().read_secret_version,
            path=path,
            mount_point=self.settings.mount,
            raise_on_deleted_version=True,
        )
        try:
            return dict((await self._call(read))["data"]["data"])
        except SecretNotFound:
            pass
        # If another replica won the check-and-set race, this fails: read what it wrote.
        with contextlib.suppress(CredentialError):
            await self._call(
                self._kv().create_or_update_secret,
                path=path,
                secret=make(),
                cas=0,
                mount_point=self.settings.mount,
            )
        return dict((await self._call(read))["data"]["data"])

    async def healthy(self) -> bool:
        try:
            client = self._hvac()  # sys/health needs no token
            status = await asyncio.to_thread(client.sys.read_health_status, method="GET")
            body = status.json() if hasattr(status, "json") else status
            return bool(body.get("initialized")) and not body.get("sealed", True)
        except Exception:
            return False

    def source(self, name: str, for_url: str | None = None) -> CredentialSource:
        """A CredentialSource for a connector calling ``for_url``: re-reads Vault each time."""

        async def read() -> Mapping[str, str]:
            return await self.read(name, for_url=for_url)

        return read


def credentials_from_settings(settings: Settings) -> Credentials:
    """Vault access as configured; locally, the token ``atrium up`` keeps in the state folder."""
    token = None
    local_token = settings.vault.auth == "token" and settings.vault.token is None
    if local_token and settings.vault_token_file.exists():
        token = settings.vault_token_file.read_text().strip()
    return Credentials(settings.vault, token=token)
