"""OneRoster fixtures: a client pointed at the sandbox's OneRoster emulator over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import pytest_asyncio

from connectors.credentials import CredentialSource
from connectors.oneroster import OneRosterClient


class CountingTransport(httpx.AsyncHTTPTransport):
    """A real transport that remembers every request path (to count token fetches, pages)."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        return await super().handle_async_request(request)

    def count(self, suffix: str) -> int:
        return sum(1 for p in self.paths if p.endswith(suffix))


def vault_like(sandbox_url: str) -> CredentialSource:
    """Reads the current secret from the sandbox each time, as Atrium reads Vault."""

    async def source() -> Mapping[str, str]:
        async with httpx.AsyncClient() as http:
            response = await http.get(f"{sandbox_url}/_control/credentials/oneroster")
            response.raise_for_status()
            return dict(response.json())

    return source


async def control(method: str, url: str, body: Any = None) -> Any:
    """One call to a sandbox control route; raises unless it succeeded."""
    async with httpx.AsyncClient() as http:
        response = await http.request(method, url, json=body)
        response.raise_for_status()
        return response.json()


@asynccontextmanager
async def faults(sandbox_url: str, **settings: Any) -> AsyncIterator[None]:
    """Inject faults into the OneRoster emulator for the block, always cleared afterwards."""
    await control("PUT", f"{sandbox_url}/_control/faults/oneroster", settings)
    try:
        yield
    finally:
        await control("DELETE", f"{sandbox_url}/_control/faults/oneroster")


async def mutate(sandbox_url: str, **body: Any) -> dict[str, Any]:
    result: dict[str, Any] = await control("POST", f"{sandbox_url}/oneroster/_control/mutate", body)
    return result


@pytest.fixture
def oneroster_url(sandbox_url: str) -> str:
    return f"{sandbox_url}/oneroster"


@pytest_asyncio.fixture(loop_scope="session")
async def oneroster(oneroster_url: str, sandbox_url: str) -> AsyncIterator[OneRosterClient]:
    async with OneRosterClient(oneroster_url, vault_like(sandbox_url), timeout=10) as client:
        yield client
