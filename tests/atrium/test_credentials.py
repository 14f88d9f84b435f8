"""Connector secrets in a real OpenBao: store, read, rotate, delete; metadata never holds values."""

from __future__ import annotations

import uuid

import pytest

from atrium.credentials import (
    ORIGIN_FIELD,
    CredentialError,
    Credentials,
    SecretNotFound,
    origin_of,
)
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


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://Canvas.School.EDU/api", "https://canvas.school.edu:443"),
        ("http://127.0.0.1:8100/canvas", "http://127.0.0.1:8100"),
        ("http://sis.lan:80", "http://sis.lan:80"),
        ("https://[::1]:8443/x", "https://[::1]:8443"),
        ("https://bücher.example/", "https://xn--bcher-kva.example:443"),  # what is dialled
        ("https://sis.lan./x", "https://sis.lan:443"),
    ],
)
def test_origins_are_normalised(url: str, origin: str) -> None:
    assert origin_of(url) == origin


@pytest.mark.parametrize("url", ["ftp://x/", "http:///nohost", "http://a\x00b/", "/relative"])
def test_an_unusable_url_has_no_origin(url: str) -> None:
    with pytest.raises(ValueError):
        origin_of(url)


async def test_a_secret_keeps_its_origin_beside_it_and_hides_it(credentials: Credentials) -> None:
    name = f"conn-{uuid.uuid4().hex[:8]}"
    seen: list[tuple[str, str | None, str | None]] = []

    async def guard(secret: str, bound: str | None, for_url: str | None) -> None:
        seen.append((secret, bound, for_url))
        if for_url is not None and origin_of(for_url) != bound:
            raise PermissionError(f"{secret}: bound to {bound}")

    try:
        meta = await credentials.store(name, {"token": "t"}, origin="https://a.example:443")
        assert meta.fields == ["token"] and (await credentials.meta(name)).fields == ["token"]
        assert await credentials.read(name) == {"token": "t"}  # the reserved field never shows
        assert await credentials.bound_origin(name) == "https://a.example:443"
        guarded = credentials.guarded(guard)
        assert await guarded.read(name, for_url="https://a.example/x") == {"token": "t"}
        with pytest.raises(PermissionError, match="bound to https://a.example:443"):
            await guarded.source(name, "https://b.example/x")()
        assert seen == [
            (name, "https://a.example:443", "https://a.example/x"),
            (name, "https://a.example:443", "https://b.example/x"),
        ]
        await credentials.store(name, {"token": "old"})  # as stored before origins were bound
        assert await credentials.bound_origin(name) is None
        rebound = await credentials.bind(name, "https://b.example:443")
        assert rebound.version == 3 and await credentials.read(name) == {"token": "old"}
        assert await credentials.bound_origin(name) == "https://b.example:443"
        with pytest.raises(ValueError, match="keeps for itself"):
            await credentials.store(name, {ORIGIN_FIELD: "https://evil.example:443"})
    finally:
        await credentials.delete(name)
