"""Connector secrets in a real OpenBao: store, read, rotate, delete; metadata never holds values."""

from __future__ import annotations

import uuid

import pytest

from atrium.credentials import CredentialError, Credentials, SecretNotFound
from atrium.settings import VaultSettings


async def test_store_read_rotate_delete(credentials: Credentials) -> None:
    name = f"conn-{uuid.uuid4().hex[:8]}"
    first = await credentials.store(name, {"token": "first-value"})
    assert first.version == 1 and first.fields == ["token"]
    assert await credentials.read(name) == {"token": "first-value"}
    second = await credentials.rotate(name, {"token": "second-value"})
    assert second.version == 2
    assert await credentials.read(name) == {"token": "second-value"}
    meta = await credentials.meta(name)
    assert meta.version == 2 and "second-value" not in repr(meta)
    source = credentials.source(name)
    assert (await source())["token"] == "second-value"
    await credentials.delete(name)
    with pytest.raises(SecretNotFound):
        await credentials.read(name)


async def test_bad_name_and_empty_secret_are_refused(credentials: Credentials) -> None:
    with pytest.raises(ValueError, match="secret name"):
        await credentials.store("../escape", {"token": "x"})
    with pytest.raises(ValueError, match="at least one field"):
        await credentials.store("fine-name", {})


async def test_wrong_token_and_unreachable_vault_are_typed(openbao_address: str) -> None:
    wrong = Credentials(VaultSettings(address=openbao_address, token="s.not-a-real-token"))
    with pytest.raises(CredentialError) as info:
        await wrong.read("anything")
    assert "not-a-real-token" not in str(info.value)
    down = Credentials(VaultSettings(address="http://127.0.0.1:1", token="x"))
    with pytest.raises(CredentialError, match="unreachable"):
        await down.read("anything")
    assert await down.healthy() is False
