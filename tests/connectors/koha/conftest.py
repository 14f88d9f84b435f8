from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from connectors.koha import KohaClient
from tests.sandbox.control import MutableCredentials, credentials_of


@pytest.fixture
async def koha_credentials(sandbox_url: str) -> MutableCredentials:
    return MutableCredentials(await credentials_of(sandbox_url, "koha"))


@pytest.fixture
async def koha(sandbox_url: str, koha_credentials: MutableCredentials) -> AsyncIterator[KohaClient]:
    async with KohaClient(f"{sandbox_url}/koha", koha_credentials, timeout=5.0) as client:
        yield client
