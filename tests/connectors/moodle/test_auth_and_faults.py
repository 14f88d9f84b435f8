"""Auth (token re-read after rotation), rate limiting, 5xx, timeouts and malformed records."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from connectors.errors import AuthError, MalformedResponse, NotFound, RateLimited, ServerError
from connectors.moodle import MoodleClient
from tests.connectors.moodle.conftest import sandbox_credentials
from tests.connectors.unlisted import unlisted


@asynccontextmanager
async def faults(sandbox_url: str, **settings: Any) -> AsyncIterator[None]:
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/_control/faults") as control:
        (await control.put("/moodle", json=settings)).raise_for_status()
        try:
            yield
        finally:
            (await control.delete("/moodle")).raise_for_status()


async def test_rotated_token_is_read_again_once(sandbox_url: str) -> None:
    reads = 0
    vault = sandbox_credentials(sandbox_url)

    async def counting_source() -> Mapping[str, str]:
        nonlocal reads
        reads += 1
        return await vault()

    async with httpx.AsyncClient(base_url=f"{sandbox_url}/_control/credentials") as control:
        original = (await control.get("/moodle")).json()["token"]
        async with MoodleClient(f"{sandbox_url}/moodle", counting_source) as client:
            assert (await client.site_info()).username == "admin"
            try:
                (await control.put("/moodle", json={"token": "f" * 32})).raise_for_status()
                info = await client.site_info()  # old token rejected -> re-read -> retried
                assert info.userid == 2
                assert reads == 2
            finally:
                (await control.put("/moodle", json={"token": original})).raise_for_status()


async def test_wrong_token_is_auth_error_after_one_reread(sandbox_url: str) -> None:
    reads = 0

    async def wrong() -> Mapping[str, str]:
        nonlocal reads
        reads += 1
        return {"token": "0" * 32}

    async with MoodleClient(f"{sandbox_url}/moodle", wrong) as client:
        with pytest.raises(AuthError) as caught:
            await client.site_info()
    assert "invalidtoken" in caught.value.message
    assert reads == 2


async def test_unknown_function_is_not_found(moodle: MoodleClient) -> None:
    # no method names an unknown function: a raw call
    with pytest.raises(NotFound) as caught, unlisted():
        await moodle._call("local_nothing_here")
    assert "dml_missing_record_exception" in caught.value.message


async def test_rate_limit_slows_down_instead_of_hammering(
    moodle: MoodleClient, sandbox_url: str
) -> None:
    async with faults(sandbox_url, rate_limit_per_second=2):
        limited: RateLimited | None = None
        for _ in range(4):
            try:
                await moodle.site_info()
            except RateLimited as exc:
                limited = exc
                break
        assert limited is not None and limited.retry_after >= 1
        started = time.monotonic()
        await moodle.site_info()  # waits out Retry-After first, so it is not limited again
        assert time.monotonic() - started >= 0.5


async def test_server_error_is_typed(moodle: MoodleClient, sandbox_url: str) -> None:
    async with faults(sandbox_url, error_rate=1.0):
        with pytest.raises(ServerError) as caught:
            await moodle.site_info()
    assert caught.value.retryable and caught.value.status == 503


async def test_timeout_is_server_error(sandbox_url: str) -> None:
    client = MoodleClient(f"{sandbox_url}/moodle", sandbox_credentials(sandbox_url), timeout=0.3)
    async with client, faults(sandbox_url, timeout_rate=1.0, timeout_seconds=1.0):
        with pytest.raises(ServerError, match="timeout"):
            await client.site_info()


async def test_malformed_record_is_reported(moodle: MoodleClient, sandbox_url: str) -> None:
    async with faults(sandbox_url, malformed_rate=1.0):
        with pytest.raises(MalformedResponse, match="record 0 is malformed"):
            _ = [u async for u in moodle.users_by_field("username", ["admin"])]
