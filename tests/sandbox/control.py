"""Test helpers that drive the sandbox's control routes over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx


async def credentials_of(sandbox_url: str, system: str) -> dict[str, str]:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{sandbox_url}/_control/credentials/{system}")
        response.raise_for_status()
        return dict(response.json())


@asynccontextmanager
async def injected_faults(sandbox_url: str, system: str, **faults: Any) -> AsyncIterator[None]:
    """Set faults on one system for the body of the ``async with``, then clear them."""
    async with httpx.AsyncClient() as client:
        (
            await client.put(f"{sandbox_url}/_control/faults/{system}", json=faults)
        ).raise_for_status()
    try:
        yield
    finally:
        async with httpx.AsyncClient() as client:
            await client.delete(f"{sandbox_url}/_control/faults/{system}")


@asynccontextmanager
async def rotated_credentials(
    sandbox_url: str, system: str, **changes: str
) -> AsyncIterator[dict[str, str]]:
    """Rotate some credential fields; the originals are put back afterwards."""
    original = await credentials_of(sandbox_url, system)
    async with httpx.AsyncClient() as client:
        response = await client.put(f"{sandbox_url}/_control/credentials/{system}", json=changes)
        response.raise_for_status()
    try:
        yield dict(response.json())
    finally:
        async with httpx.AsyncClient() as client:
            await client.put(f"{sandbox_url}/_control/credentials/{system}", json=original)


class MutableCredentials:
    """A CredentialSource whose value a test can change, standing in for a Vault path."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = dict(values)
        self.reads = 0

    async def __call__(self) -> dict[str, str]:
        self.reads += 1
        return dict(self.values)
