"""Vault over TLS verified against ATRIUM_VAULT__CA_PATH (hvac's verify=): with the CA a secret
is written and read back; without it Vault's certificate is refused; a bad CA file is named."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from atrium.credentials import CredentialError, Credentials
from atrium.settings import Settings, VaultSettings
from atrium.stack.openbao import OpenBaoServer
from atrium.tls import TLSFileError, check_vault_ca
from tests.support.certs import TestCA
from tests.support.tls_proxy import tls_proxy


@pytest.fixture(scope="module")
def vault_tls(
    openbao: OpenBaoServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, TestCA]]:
    folder = tmp_path_factory.mktemp("vault-tls")
    ca = TestCA(folder)
    backend = openbao.address.removeprefix("http://")
    with tls_proxy(folder, backend, ca.server("localhost")) as at:
        yield f"https://{at}", ca


def _vault(settings: Settings, address: str, ca: Path | None) -> VaultSettings:
    return settings.vault.model_copy(update={"address": address, "ca_path": ca})


async def test_vault_is_verified_against_the_configured_ca(
    settings: Settings, vault_tls: tuple[str, TestCA]
) -> None:
    address, ca = vault_tls
    credentials = Credentials(_vault(settings, address, ca.cert))
    name = f"tls-{uuid.uuid4().hex[:8]}"
    await credentials.store(name, {"token": "s3cret"})
    try:
        assert await credentials.read(name) == {"token": "s3cret"}
    finally:
        await credentials.delete(name)
    # The system's CAs do not know our test CA: the same Vault is refused.
    unverified = Credentials(_vault(settings, address, None))
    with pytest.raises(CredentialError, match="vault unreachable: SSLError"):
        await unverified.read(name)


def test_a_bad_vault_ca_file_is_named(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(TLSFileError, match=r"^ATRIUM_VAULT__CA_PATH: .* does not exist$"):
        check_vault_ca(_vault(settings, settings.vault.address, tmp_path / "none.pem"))
