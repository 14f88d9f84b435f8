"""A Moodle client wired to the sandbox the way Atrium wires it: the token comes from a
credential source that reads the current secret (here the sandbox's control endpoint, as Vault)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping

import httpx
import pytest

from connectors.credentials import CredentialSource
from connectors.moodle import MoodleClient


def sandbox_credentials(sandbox_url: str) -> CredentialSource:
    async def source() -> Mapping[str, str]:
        async with httpx.AsyncClient() as client:
            response = await client.get(f"{sandbox_url}/_control/credentials/moodle")
            response.raise_for_status()
            return dict(response.json())

    return source


@pytest.fixture
async def moodle(sandbox_url: str) -> AsyncIterator[MoodleClient]:
    async with MoodleClient(
        f"{sandbox_url}/moodle", sandbox_credentials(sandbox_url), timeout=10.0
    ) as client:
        yield client


@pytest.fixture
def unique() -> str:
    """A suffix that keeps records of this test apart from others in the shared sandbox."""
    return uuid.uuid4().hex[:10]
