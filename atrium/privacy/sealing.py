"""Data at rest sealed by envelope encryption: each blob is AES-256-GCM under a fresh data key that
Vault's transit engine generates and wraps (``transit/datakey/plaintext/<key>``). Atrium stores
the wrapped key beside the blob; only Vault can unwrap it, so the database or a backup alone
never reveals an export. Same transit engine as the payload keys (atrium/payload_codec.py)."""

from __future__ import annotations

import asyncio
import base64
import os

import hvac.exceptions
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from atrium.credentials import Credentials, vault_client

KEY_NAME = "atrium-privacy-exports"


def export_label(export_id: int) -> str:
    """What an export's zip is sealed to: a blob moved to another export does not open."""
    return f"privacy-export:{export_id}"


def part_label(export_id: int, section: str) -> str:
    return f"privacy-export:{export_id}:{section}"


class Sealer:
    def __init__(self, credentials: Credentials, key_name: str = KEY_NAME) -> None:
        self.credentials = credentials
        self.key_name = key_name

    def _transit(self) -> object:
        return vault_client(self.credentials.settings, self.credentials.token).secrets.transit

    def _data_key(self) -> tuple[bytes, str]:
        transit = self._transit()
        try:
            made = transit.generate_data_key(self.key_name, key_type="plaintext")  # type: ignore[attr-defined]
        except (hvac.exceptions.InvalidPath, hvac.exceptions.InvalidRequest):  # no key yet
            transit.create_key(self.key_name, key_type="aes256-gcm96")  # type: ignore[attr-defined]
            made = transit.generate_data_key(self.key_name, key_type="plaintext")  # type: ignore[attr-defined]
        return base64.b64decode(made["data"]["plaintext"]), str(made["data"]["ciphertext"])

    def _unwrap(self, wrapped: str) -> bytes:
        opened = self._transit().decrypt_data(self.key_name, wrapped)  # type: ignore[attr-defined]
        return base64.b64decode(opened["data"]["plaintext"])

    def seal_sync(self, plain: bytes, label: str) -> tuple[str, bytes]:
        """(wrapped data key, nonce + ciphertext); ``label`` is bound as associated data."""
        key, wrapped = self._data_key()
        nonce = os.urandom(12)
        return wrapped, nonce + AESGCM(key).encrypt(nonce, plain, label.encode())

    def open_sync(self, wrapped: str, blob: bytes, label: str) -> bytes:
        return AESGCM(self._unwrap(wrapped)).decrypt(blob[:12], blob[12:], label.encode())

    async def seal(self, plain: bytes, label: str) -> tuple[str, bytes]:
        return await asyncio.to_thread(self.seal_sync, plain, label)

    async def open(self, wrapped: str, blob: bytes, label: str) -> bytes:
        return await asyncio.to_thread(self.open_sync, wrapped, blob, label)
