"""Canvas fixtures: a connector pointed at the sandbox's Canvas emulator over real HTTP."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from connectors.canvas import CanvasClient
from tests.sandbox.control import MutableCredentials, credentials_of


class RecordingTransport(httpx.AsyncHTTPTransport):
    """A real HTTP transport that remembers each answer's status and throttle headers."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[int, float | None]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        remaining = response.headers.get("X-Rate-Limit-Remaining")
        self.seen.append((response.status_code, float(remaining) if remaining else None))
        return response


@pytest.fixture
def canvas_url(sandbox_url: str) -> str:
    return f"{sandbox_url}/canvas"


@pytest_asyncio.fixture(loop_scope="session")
async def canvas_credentials(sandbox_url: str) -> MutableCredentials:
    return MutableCredentials(await credentials_of(sandbox_url, "canvas"))


@pytest_asyncio.fixture(loop_scope="session")
async def canvas(
    canvas_url: str, canvas_credentials: MutableCredentials
) -> AsyncIterator[CanvasClient]:
    async with CanvasClient(canvas_url, canvas_credentials, timeout=10) as client:
        yield client


@pytest.fixture
def unique() -> str:
    """A prefix that keeps SIS ids of one test apart from every other test's."""
    return uuid.uuid4().hex[:8]
