"""The generic connector, configured only by data, against the Koha and bursar emulators."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from connectors.errors import AuthError, MalformedResponse, RateLimited
from connectors.generic import GenericApiClient, GenericApiConfig
from tests.sandbox.control import MutableCredentials, credentials_of, injected_faults

PATRON_FIELDS = {
    "source_id": "to_string(patron_id)",
    "family_name": "surname",
    "given_name": "firstname",
    "card": "cardnumber",
    "library": "library_id",
}


def koha_config(sandbox_url: str, style: str) -> dict[str, Any]:
    paging = {"style": style, "page_param": "_page", "size_param": "_per_page", "page_size": 8}
    return {
        "name": "koha-generic",
        "base_url": f"{sandbox_url}/koha",
        "auth": {"scheme": "oauth2_client_credentials", "token_url": "/api/v1/oauth/token"},
        "endpoints": {
            "patrons": {
                "path": "/api/v1/patrons",
                "query": {"_order_by": "+patron_id"},
                "record_path": "@",
                "pagination": paging,
                "fields": PATRON_FIELDS,
            },
            "patron": {"path": "/api/v1/patrons/{patron_id}"},
        },
    }


@pytest.mark.parametrize("style", ["link_header", "page_number"])
async def test_koha_patrons_listed_and_mapped_by_config(sandbox_url: str, style: str) -> None:
    config = GenericApiConfig.model_validate(koha_config(sandbox_url, style))
    creds = MutableCredentials(await credentials_of(sandbox_url, "koha"))
    async with GenericApiClient(config, creds) as api, httpx.AsyncClient() as http:
        total = (await http.get(f"{sandbox_url}/koha/_control/patrons/count")).json()["count"]
        records = [r async for r in api.records("patrons")]
        assert len(records) == total > 16
        assert set(records[0]) == set(PATRON_FIELDS) and records[0]["source_id"] == "1"
        one = await api.call("patron", patron_id=1)
        assert one["patron_id"] == 1 and records[0]["family_name"] == one["surname"]


async def test_bursar_accounts_with_cursor_and_bearer(sandbox_url: str) -> None:
    config = GenericApiConfig.model_validate(
        {
            "name": "bursar-generic",
            "base_url": f"{sandbox_url}/finance",
            "auth": {"scheme": "bearer"},
            "endpoints": {
                "accounts": {
                    "path": "/api/accounts",
                    "record_path": "data",
                    "pagination": {
                        "style": "cursor",
                        "cursor_path": "next_cursor",
                        "size_param": "limit",
                        "page_size": 10,
                    },
                    "fields": {"student": "student_id", "owes": "balance"},
                }
            },
        }
    )
    key = (await credentials_of(sandbox_url, "finance"))["api_key"]
    async with GenericApiClient(config, MutableCredentials({"token": key})) as api:
        accounts = [a async for a in api.records("accounts")]
        assert len(accounts) > 20 and len({a["student"] for a in accounts}) == len(accounts)
        async with injected_faults(sandbox_url, "finance", rate_limit_per_second=1.0):
            with pytest.raises(RateLimited):
                async for _ in api.records("accounts"):
                    pass
    async with GenericApiClient(config, MutableCredentials({"token": "wrong"})) as bad:
        with pytest.raises(AuthError):
            async for _ in bad.records("accounts"):
                pass


async def test_wrong_record_path_is_malformed(sandbox_url: str) -> None:
    raw = koha_config(sandbox_url, "none")
    raw["endpoints"]["patrons"]["record_path"] = "data.items"
    config = GenericApiConfig.model_validate(raw)
    async with GenericApiClient(
        config, MutableCredentials(await credentials_of(sandbox_url, "koha"))
    ) as api:
        with pytest.raises(MalformedResponse, match="not a list"):
            async for _ in api.records("patrons"):
                pass


def test_bad_config_is_refused_before_any_call() -> None:
    with pytest.raises(ValidationError, match="JMESPath"):
        GenericApiConfig.model_validate(
            {
                "name": "x",
                "base_url": "https://x.example",
                "endpoints": {"e": {"path": "/e", "fields": {"a": "foo[["}}},
            }
        )
    with pytest.raises(ValidationError, match="token_url"):
        GenericApiConfig.model_validate(
            {
                "name": "x",
                "base_url": "https://x.example",
                "auth": {"scheme": "oauth2_client_credentials"},
                "endpoints": {"e": {"path": "/e"}},
            }
        )
