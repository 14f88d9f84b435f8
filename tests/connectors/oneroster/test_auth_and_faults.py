"""Tokens (expiry, rotation, scopes) and faults (5xx, timeouts, rate limits, malformed records)."""

from __future__ import annotations

import asyncio

import pytest

from connectors.credentials import static_credentials
from connectors.errors import AuthError, MalformedResponse, RateLimited, ServerError
from connectors.oneroster import OneRosterClient
from connectors.oneroster.client import SCOPE_PREFIX
from tests.connectors.oneroster.conftest import CountingTransport, control, faults, vault_like


async def test_wrong_secret_is_auth_error(oneroster_url: str) -> None:
    creds = static_credentials({"client_id": "atrium-oneroster-42", "client_secret": "wrong"})
    async with OneRosterClient(oneroster_url, creds) as client:
        with pytest.raises(AuthError) as caught:
            await client.page("orgs")
    assert caught.value.status == 401 and "wrong" not in caught.value.message


async def test_expired_token_is_refreshed(oneroster_url: str, sandbox_url: str) -> None:
    settings = f"{oneroster_url}/_control/settings"
    await control("PUT", settings, {"token_lifetime_seconds": 1})
    transport = CountingTransport()
    try:
        async with OneRosterClient(
            oneroster_url, vault_like(sandbox_url), transport=transport
        ) as client:
            await client.page("orgs")
            await asyncio.sleep(1.2)
            page = await client.page("orgs")
    finally:
        await control("PUT", settings, {"token_lifetime_seconds": 3600})
    assert page.total == 3
    assert transport.count("/oauth/token") == 2
    assert transport.paths.count("/oneroster/ims/oneroster/rostering/v1p2/orgs") == 2  # no 401


async def test_rotated_secret_is_reread_after_401(oneroster_url: str, sandbox_url: str) -> None:
    url = f"{sandbox_url}/_control/credentials/oneroster"
    original = (await control("GET", url))["client_secret"]
    transport = CountingTransport()
    async with OneRosterClient(
        oneroster_url, vault_like(sandbox_url), transport=transport
    ) as client:
        await client.page("orgs")
        await control("PUT", url, {"client_secret": "rotated-" + original[:8]})
        try:
            page = await client.page("orgs")  # old token now revoked -> 401 -> re-read -> retry
        finally:
            await control("PUT", url, {"client_secret": original})
    assert page.total == 3
    assert transport.count("/oauth/token") == 2
    assert transport.count("/orgs") == 3  # first call, the 401, the retry


async def test_missing_scope_is_403(oneroster_url: str, sandbox_url: str) -> None:
    core_only = (SCOPE_PREFIX + "roster-core.readonly",)
    async with OneRosterClient(oneroster_url, vault_like(sandbox_url), scopes=core_only) as client:
        assert (await client.page("users", limit=1)).total
        with pytest.raises(AuthError) as caught:
            await client.page("demographics")
    assert caught.value.status == 403 and "forbidden" in caught.value.message


async def test_server_errors_are_server_error(oneroster: OneRosterClient, sandbox_url: str) -> None:
    await oneroster.page("orgs")  # token in hand, so the fault hits the data call
    async with faults(sandbox_url, error_rate=1.0):
        with pytest.raises(ServerError) as caught:
            await oneroster.page("orgs")
    assert caught.value.status == 503 and caught.value.retryable


async def test_timeout_is_server_error(oneroster_url: str, sandbox_url: str) -> None:
    async with OneRosterClient(oneroster_url, vault_like(sandbox_url), timeout=0.5) as client:
        await client.page("orgs")
        async with faults(sandbox_url, timeout_rate=1.0, timeout_seconds=1.5):
            with pytest.raises(ServerError) as caught:
                await client.page("orgs")
    assert "timeout" in caught.value.message


async def test_rate_limit_slows_down_instead_of_hammering(
    oneroster: OneRosterClient, sandbox_url: str
) -> None:
    await oneroster.page("orgs")
    statuses: list[str] = []
    async with faults(sandbox_url, rate_limit_per_second=1):
        for _ in range(4):
            try:
                await oneroster.page("orgs")
                statuses.append("ok")
            except RateLimited as exc:
                assert exc.retry_after >= 1
                statuses.append("429")
    assert "429" in statuses
    assert "429,429" not in ",".join(statuses)  # never two rate-limit answers in a row


async def test_malformed_records_are_reported_not_dropped(
    oneroster: OneRosterClient, sandbox_url: str
) -> None:
    async with faults(sandbox_url, malformed_rate=0.5):
        page = await oneroster.page("users", limit=50)
        with pytest.raises(MalformedResponse):
            async for _ in oneroster.iter_users(page_size=50):
                pass
    assert page.malformed, "half the records were broken"
    assert len(page.records) + len(page.malformed) == 50
    for bad in page.malformed:
        assert "sourcedId" in bad.error or "dateLastModified" in bad.error
        assert 0 <= bad.index < 50


async def test_concurrent_callers_share_one_token(oneroster_url: str, sandbox_url: str) -> None:
    """The sync runs pages in parallel on one kept client: one token fetch serves them all."""
    transport = CountingTransport()
    async with OneRosterClient(
        oneroster_url, vault_like(sandbox_url), transport=transport
    ) as client:
        pages = await asyncio.gather(
            *(client.raw_page("users", offset=o, limit=10) for o in range(0, 80, 10))
        )
    assert {total for _, total in pages} == {pages[0][1]} and pages[0][1] > 80
    assert transport.count("/oauth/token") == 1 and transport.count("/users") == 8
