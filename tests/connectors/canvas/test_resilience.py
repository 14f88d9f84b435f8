"""Failures Canvas can throw at us: rotated tokens, throttling, 5xx and hung requests."""

from __future__ import annotations

import asyncio

import pytest

from connectors.canvas import CanvasClient
from connectors.errors import AuthError, RateLimited, ServerError
from tests.connectors.canvas.conftest import RecordingTransport
from tests.sandbox.control import MutableCredentials, injected_faults, rotated_credentials


async def test_a_401_makes_the_client_reread_rotated_credentials(
    canvas_url: str, sandbox_url: str, canvas_credentials: MutableCredentials
) -> None:
    async with CanvasClient(canvas_url, canvas_credentials) as client:
        await client.get_account()
        assert canvas_credentials.reads == 1
        async with rotated_credentials(sandbox_url, "canvas", token="9~rotated-token") as rotated:
            canvas_credentials.values = rotated  # Vault now holds the new token
            account = await client.get_account()
            assert account.id == 1
            assert canvas_credentials.reads == 2


async def test_wrong_token_is_an_auth_error(canvas_url: str) -> None:
    creds = MutableCredentials({"token": "1~not-the-token"})
    async with CanvasClient(canvas_url, creds) as client:
        with pytest.raises(AuthError) as caught:
            await client.get_account()
    assert caught.value.status == 401 and "Invalid access token." in caught.value.message
    assert creds.reads == 2  # it did try again with a fresh read


async def test_throttling_slows_down_before_the_bucket_is_full(
    canvas_url: str, sandbox_url: str, canvas_credentials: MutableCredentials
) -> None:
    # A token of its own, so this test's bucket does not slow the rest of the session.
    async with rotated_credentials(sandbox_url, "canvas", token="9~throttle-test") as rotated:
        canvas_credentials.values = rotated
        transport = RecordingTransport()
        async with (
            injected_faults(sandbox_url, "canvas", rate_limit_per_second=20),
            CanvasClient(
                canvas_url, canvas_credentials, transport=transport, throttle_pause=0.5
            ) as client,
        ):
            outcomes = []
            for _ in range(40):
                try:
                    await client.get_user(1)
                    outcomes.append("ok")
                except RateLimited:
                    outcomes.append("403")
    statuses = [status for status, _ in transport.seen]
    remaining = [r for _, r in transport.seen if r is not None]
    assert min(remaining) < client.low_remaining  # the bucket did run low: the limit was real
    assert not any(a == b == 403 for a, b in zip(statuses, statuses[1:], strict=False))
    assert outcomes.count("403") == 0  # proactive pacing kept it from ever being refused


async def test_after_a_rate_limit_answer_the_next_call_gets_through(
    canvas_url: str, sandbox_url: str, canvas_credentials: MutableCredentials
) -> None:
    async with rotated_credentials(sandbox_url, "canvas", token="9~burst-test") as rotated:
        canvas_credentials.values = rotated
        transport = RecordingTransport()
        async with (
            injected_faults(sandbox_url, "canvas", rate_limit_per_second=20),
            CanvasClient(
                canvas_url, canvas_credentials, transport=transport, throttle_pause=0.5
            ) as client,
        ):
            burst = await asyncio.gather(
                *(client.get_user(1) for _ in range(30)), return_exceptions=True
            )
            limited = [r for r in burst if isinstance(r, RateLimited)]
            assert limited and limited[0].retry_after == 0.5  # parallel calls overran the bucket
            seen_before = len(transport.seen)
            assert (await client.get_user(1)).id == 1
    assert [status for status, _ in transport.seen[seen_before:]] == [200]


async def test_injected_5xx_is_a_server_error(canvas: CanvasClient, sandbox_url: str) -> None:
    async with injected_faults(sandbox_url, "canvas", error_rate=1.0):
        with pytest.raises(ServerError) as caught:
            await canvas.get_account()
    assert caught.value.status == 503 and caught.value.retryable


async def test_a_hung_request_times_out_as_a_server_error(
    canvas_url: str, sandbox_url: str, canvas_credentials: MutableCredentials
) -> None:
    async with (
        injected_faults(sandbox_url, "canvas", timeout_rate=1.0, timeout_seconds=2),
        CanvasClient(canvas_url, canvas_credentials, timeout=0.3) as client,
    ):
        with pytest.raises(ServerError, match="timeout"):
            await client.get_account()
