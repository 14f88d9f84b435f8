"""Production authenticates to Vault with AppRole: against the session's real OpenBao with AppRole
enabled (at a mount of this test's own, removed afterwards), tokens are renewed before they
expire, a new login follows when they reach their max TTL or are revoked, and a sealed or
unreachable Vault is a CredentialError (retryable), never a crash."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import hvac
import pytest
from pydantic import SecretStr

from atrium.credentials import CredentialError, Credentials, vault_client
from atrium.settings import VaultSettings

POLICY = """
path "secret/data/{prefix}/*" {{ capabilities = ["create", "read", "update", "delete"] }}
path "secret/metadata/{prefix}/*" {{ capabilities = ["read", "delete"] }}
"""


@pytest.fixture
def approle(credentials: Credentials) -> Iterator[VaultSettings]:
    """AppRole enabled at its own mount with short-lived tokens: ttl 2 s, max 5 s."""
    root = vault_client(credentials.settings, credentials.token)
    mount, prefix = f"approle-{uuid.uuid4().hex[:8]}", f"approle-test-{uuid.uuid4().hex[:8]}"
    root.sys.enable_auth_method("approle", path=mount)
    root.sys.create_or_update_policy(mount, POLICY.format(prefix=prefix))
    root.auth.approle.create_or_update_approle(
        "atrium", token_policies=[mount], token_ttl="2s", token_max_ttl="5s", mount_point=mount
    )
    role_id = root.auth.approle.read_role_id("atrium", mount_point=mount)["data"]["role_id"]
    secret_id = root.auth.approle.generate_secret_id("atrium", mount_point=mount)["data"][
        "secret_id"
    ]
    yield VaultSettings(
        address=credentials.settings.address,
        auth="approle",
        role_id=role_id,
        secret_id=SecretStr(secret_id),
        approle_mount=mount,
        prefix=prefix,
    )
    root.sys.disable_auth_method(mount)
    root.sys.delete_policy(mount)


async def test_tokens_are_renewed_and_logged_in_again(approle: VaultSettings) -> None:
    vault = Credentials(approle)
    await vault.store("canvas", {"token": "t-1"})
    first = vault._hvac().token
    # Past the first token's TTL (2 s), twice: renewed in between, then its max TTL (5 s)
    # reached, so a new login: every read keeps working.
    for _ in range(4):
        await asyncio.sleep(1.6)
        assert await vault.read("canvas") == {"token": "t-1"}
    assert vault._hvac().token != first, "the token was replaced after its max TTL"
    await vault.delete("canvas")


async def test_a_revoked_token_logs_in_again(
    approle: VaultSettings, credentials: Credentials
) -> None:
    vault = Credentials(approle)
    await vault.store("moodle", {"token": "t-2"})
    root = vault_client(credentials.settings, credentials.token)
    root.auth.token.revoke(vault._hvac().token)
    assert await vault.read("moodle") == {"token": "t-2"}
    await vault.delete("moodle")


async def test_a_wrong_secret_id_or_vault_down_is_a_credential_error(
    approle: VaultSettings,
) -> None:
    wrong = approle.model_copy(update={"secret_id": SecretStr("not-the-secret-id")})
    with pytest.raises(CredentialError, match="vault refused"):
        await Credentials(wrong).read("canvas")
    down = approle.model_copy(update={"address": "http://127.0.0.1:9"})
    with pytest.raises(CredentialError, match="vault unreachable"):
        await Credentials(down).read("canvas")
    assert await Credentials(down).healthy() is False
    with pytest.raises(hvac.exceptions.VaultError):  # the test's own check of the wrong id
        vault_client(wrong)
