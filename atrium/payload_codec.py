"""Encrypted Temporal payloads: what workflows and activities exchange (names, emails, grades) is
stored in Temporal's histories as AES-256-GCM ciphertext, never as plain JSON.

The keys are a keyring kept by Vault's transit engine (OpenBao has it): key ``<name>`` of type
``aes256-gcm96``, exportable, each version one key. A payload carries the id of the key that
sealed it (``<name>:<version>``) in its metadata; rotating the transit key
(``transit/keys/<name>/rotate``) makes new payloads use the new version while old histories stay
readable. One deployment serving several institutions gives each its own key name
(``ATRIUM_TEMPORAL__PAYLOAD_KEY``). Keys are fetched lazily (a process can start while Vault is
down), cached, and fetched again when a payload names a version not yet known or the current
version is older than ``REFRESH_SECONDS`` (another process may have rotated it).

The format follows Temporal's encryption sample: metadata ``encoding: binary/encrypted`` and
``encryption-key-id``, data = 12-byte nonce + ciphertext of the serialized inner payload.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import os
import time
from collections.abc import Iterable, Sequence

import hvac
import hvac.exceptions
import structlog
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, PayloadCodec
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_delay,
    stop_never,
    wait_exponential,
)

from atrium.credentials import Credentials
from atrium.settings import VaultSettings

log = structlog.get_logger("payload_codec")

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
REFRESH_SECONDS = 60.0


class KeyringUnavailable(Exception):
    """The payload keys cannot be read from Vault (transient: Vault down or sealed)."""


class UnknownKey(Exception):
    """A payload names a key the keyring does not have (a history from another institution)."""


class TransitKeyring:
    """The versions of one transit key, as AES-256 keys, read from Vault."""

    def __init__(self, settings: VaultSettings, token: str | None, name: str) -> None:
        self._settings, self._token, self.name = settings, token, name
        self._keys: dict[str, bytes] = {}
        self._current: str | None = None
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    def _client(self) -> hvac.Client:
        from atrium.credentials import vault_client

        return vault_client(self._settings, self._token)

    @classmethod
    def of(cls, credentials: Credentials, name: str) -> TransitKeyring:
        return cls(credentials.settings, credentials.token, name)

    def _fetch(self) -> dict[int, bytes]:
        transit = self._client().secrets.transit
        try:
            exported = transit.export_key(self.name, key_type="encryption-key")
        except hvac.exceptions.InvalidPath:
            transit.create_key(self.name, key_type="aes256-gcm96", exportable=True)
            exported = transit.export_key(self.name, key_type="encryption-key")
        keys = exported["data"]["keys"]
        return {int(version): base64.b64decode(material) for version, material in keys.items()}

    async def refresh(self) -> None:
        try:
            versions = await asyncio.to_thread(self._fetch)
        except Exception as exc:  # hvac errors and connection errors alike: Vault is not there
            raise KeyringUnavailable(f"payload keys unavailable: {type(exc).__name__}") from None
        self._keys = {f"{self.name}:{v}": key for v, key in versions.items()}
        self._current = f"{self.name}:{max(versions)}"
        self._loaded_at = time.monotonic()

    async def current(self) -> tuple[str, bytes]:
        if self._current is None or time.monotonic() - self._loaded_at > REFRESH_SECONDS:
            async with self._lock:
                if self._current is None or time.monotonic() - self._loaded_at > REFRESH_SECONDS:
                    await self.refresh()
        assert self._current is not None
        return self._current, self._keys[self._current]

    async def get(self, key_id: str) -> bytes:
        if key_id not in self._keys:
            async with self._lock:
                if key_id not in self._keys:
                    await self.refresh()
        try:
            return self._keys[key_id]
        except KeyError:
            raise UnknownKey(f"no payload key {key_id!r} in keyring {self.name!r}") from None

    def rotate(self) -> None:
        """A new key version (administrators; also `bao write -f transit/keys/<name>/rotate`)."""
        self._client().secrets.transit.rotate_key(self.name)


class EncryptionCodec(PayloadCodec):
    def __init__(self, keyring: TransitKeyring) -> None:
        self.keyring = keyring

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        key_id, key = await self.keyring.current()
        cipher = AESGCM(key)
        sealed = []
        for payload in payloads:
            nonce = os.urandom(12)
            data = nonce + cipher.encrypt(nonce, payload.SerializeToString(), None)
            sealed.append(
                Payload(metadata={"encoding": ENCODING, KEY_ID: key_id.encode()}, data=data)
            )
        return sealed

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [await self._open(p) for p in payloads]

    async def ready(self, max_wait: float | None = None) -> None:
        """Wait until the keys can be read, backing off up to 10 s between tries: a worker
        started while Vault is sealed or down waits for it (and says so) instead of exiting.
        ``max_wait`` seconds (None: forever), then KeyringUnavailable."""

        def waiting(state: RetryCallState) -> None:
            failure = state.outcome.exception() if state.outcome else None
            log.warning("waiting_for_vault", reason=str(failure), attempt=state.attempt_number)

        async for attempt in AsyncRetrying(
            retry=retry_if_exception_type(KeyringUnavailable),
            wait=wait_exponential(multiplier=0.5, max=10),
            stop=stop_after_delay(max_wait) if max_wait is not None else stop_never,
            before_sleep=waiting,
            reraise=True,
        ):
            with attempt:
                await self.keyring.refresh()

    async def _open(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload  # written before encryption was on
        key = await self.keyring.get(payload.metadata[KEY_ID].decode())
        plain = AESGCM(key).decrypt(payload.data[:12], payload.data[12:], None)
        return Payload.FromString(plain)


def payload_codec(credentials: Credentials, key_name: str) -> EncryptionCodec:
    """The codec every client and worker uses: keys of transit key ``key_name``."""
    return EncryptionCodec(TransitKeyring.of(credentials, key_name))


def encrypted(payloads: Iterable[Payload]) -> bool:
    return all(p.metadata.get("encoding") == ENCODING for p in payloads)


def data_converter(codec: PayloadCodec | None) -> DataConverter:
    """Atrium's data converter: pydantic models, sealed by ``codec`` when there is one."""
    if codec is None:
        return pydantic_data_converter
    return dataclasses.replace(pydantic_data_converter, payload_codec=codec)
