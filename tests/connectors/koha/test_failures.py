"""The Koha connector under auth failures, rotation, rate limits, 5xx, timeouts, bad data."""

from __future__ import annotations

import time

import pytest

from connectors.credentials import static_credentials
from connectors.errors import AuthError, MalformedResponse, RateLimited, ServerError
from connectors.koha import KohaClient
from tests.sandbox.control import MutableCredentials, injected_faults, rotated_credentials


async def test_wrong_secret_is_an_auth_error(sandbox_url: str) -> None:
    bad = static_credentials({"client_id": "atrium-koha-42", "client_secret": "wrong"})
    async with KohaClient(f"{sandbox_url}/koha", bad) as koha:
        with pytest.raises(AuthError) as error:
            await koha.get_patron(1)
    assert error.value.status == 403 and "unauthorized_client" in error.value.message


async def test_rotated_key_is_re_read_after_a_401(
    sandbox_url: str, koha: KohaClient, koha_credentials: MutableCredentials
) -> None:
    await koha.get_patron(1)  # caches a token of the current key
    reads = koha_credentials.reads
    async with rotated_credentials(sandbox_url, "koha", client_secret="rotated-secret-1") as new:
        koha_credentials.values = dict(new)  # Vault now holds the new key
        assert (await koha.get_patron(1)).patron_id == 1
    assert koha_credentials.reads == reads + 1


async def test_rate_limit_is_typed_and_never_hit_twice_in_a_row(
    sandbox_url: str, koha: KohaClient
) -> None:
    await koha.get_patron(1)  # token fetched before the limit starts
    async with injected_faults(sandbox_url, "koha", rate_limit_per_second=1.0):
        await koha.get_patron(1)
        with pytest.raises(RateLimited) as limited:
            await koha.get_patron(1)
        assert limited.value.retry_after >= 1
        started = time.monotonic()
        assert (await koha.get_patron(2)).patron_id == 2  # waits out Retry-After first
        assert time.monotonic() - started >= 0.9


async def test_server_errors_and_timeouts_are_transient(sandbox_url: str, koha: KohaClient) -> None:
    await koha.get_patron(1)
    async with injected_faults(sandbox_url, "koha", error_rate=1.0):
        with pytest.raises(ServerError) as failed:
            await koha.get_patron(1)
        assert failed.value.retryable and failed.value.status == 503
    async with KohaClient(f"{sandbox_url}/koha", koha._credentials, timeout=0.3) as impatient:
        await impatient.get_patron(1)
        async with injected_faults(sandbox_url, "koha", timeout_rate=1.0, timeout_seconds=1.0):
            with pytest.raises(ServerError, match="timeout"):
                await impatient.get_patron(1)


async def test_malformed_records_are_reported(sandbox_url: str, koha: KohaClient) -> None:
    await koha.get_patron(1)
    async with injected_faults(sandbox_url, "koha", malformed_rate=1.0):
        with pytest.raises(MalformedResponse, match="patron #0"):
            async for _ in koha.list_patrons(per_page=3):
                pass
