"""Payload encryption with keys from OpenBao's transit engine: sealed, opened, rotated."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

import hvac
import pytest
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter

from atrium.credentials import Credentials, vault_client
from atrium.payload_codec import ENCODING, KEY_ID, EncryptionCodec, TransitKeyring, UnknownKey


@pytest.fixture
async def keyring(credentials: Credentials) -> AsyncIterator[TransitKeyring]:
    """A transit key of this test's own, deleted afterwards."""
    name = f"test-payloads-{uuid.uuid4().hex[:8]}"
    yield TransitKeyring.of(credentials, name)
    transit = vault_client(credentials.settings, credentials.token).secrets.transit
    # A test that never used the key never created it: nothing to delete then.
    with contextlib.suppress(hvac.exceptions.InvalidPath, hvac.exceptions.InvalidRequest):
        transit.update_key_configuration(name, deletion_allowed=True)
        transit.delete_key(name)


def plain(value: object) -> Payload:
    return pydantic_data_converter.payload_converter.to_payloads([value])[0]


async def test_payloads_are_sealed_and_opened(keyring: TransitKeyring) -> None:
    codec = EncryptionCodec(keyring)
    original = plain({"email": "sentinel-student@example.edu", "name": "Ada"})
    [sealed] = await codec.encode([original])
    assert sealed.metadata["encoding"] == ENCODING
    assert sealed.metadata[KEY_ID] == f"{keyring.name}:1".encode()
    assert b"sentinel-student" not in sealed.SerializeToString()
    assert await codec.decode([sealed]) == [original]
    again = (await codec.encode([original]))[0]
    assert again.data != sealed.data, "a fresh nonce for every payload"


async def test_rotation_seals_new_payloads_with_the_new_key_and_old_ones_still_open(
    keyring: TransitKeyring, credentials: Credentials
) -> None:
    codec = EncryptionCodec(keyring)
    before = (await codec.encode([plain("before")]))[0]
    keyring.rotate()
    await keyring.refresh()  # what every process does within REFRESH_SECONDS
    after = (await codec.encode([plain("after")]))[0]
    assert after.metadata[KEY_ID] == f"{keyring.name}:2".encode()
    # A process that never saw version 1 opens it too: it fetches the keyring on demand.
    fresh = EncryptionCodec(TransitKeyring.of(credentials, keyring.name))
    assert await fresh.decode([before, after]) == [plain("before"), plain("after")]


async def test_a_payload_of_another_keyring_is_refused(
    keyring: TransitKeyring, credentials: Credentials
) -> None:
    sealed = (await EncryptionCodec(keyring).encode([plain("x")]))[0]
    sealed.metadata[KEY_ID] = b"another-institution:1"
    with pytest.raises(UnknownKey, match="another-institution:1"):
        await EncryptionCodec(keyring).decode([sealed])


async def test_unencrypted_payloads_from_before_pass_through(keyring: TransitKeyring) -> None:
    old = plain({"written": "before encryption was on"})
    assert await EncryptionCodec(keyring).decode([old]) == [old]
