"""Concurrent first calls share one token fetch instead of going out without a token."""

from __future__ import annotations

import asyncio

import httpx

from connectors.credentials import static_credentials
from connectors.koha import KohaClient


async def test_concurrent_first_calls_all_authenticate(sandbox_url: str) -> None:
    async with httpx.AsyncClient() as http:
        secret = (await http.get(f"{sandbox_url}/_control/credentials/koha")).json()
    async with KohaClient(f"{sandbox_url}/koha", static_credentials(secret)) as client:
        answers = await asyncio.gather(
            *(client.find_patron_by_cardnumber(f"none-{i}") for i in range(8))
        )
    assert answers == [None] * 8
