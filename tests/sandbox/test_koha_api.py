"""The Koha emulator's wire behaviour: error bodies, pagination headers, OAuth answers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.sandbox.control import credentials_of


@pytest.fixture
async def koha_http(sandbox_url: str) -> AsyncIterator[httpx.AsyncClient]:
    creds = await credentials_of(sandbox_url, "koha")
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/koha/api/v1") as http:
        token = await http.post("/oauth/token", data={"grant_type": "client_credentials", **creds})
        assert token.status_code == 200 and token.json()["token_type"] == "Bearer"
        http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        yield http


async def test_unknown_field_gets_koha_validation_errors(koha_http: httpx.AsyncClient) -> None:
    response = await koha_http.post(
        "/patrons", json={"surname": "X", "library_id": "CPL", "category_id": "ST", "shoe": 9}
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"message": "Properties not allowed: shoe.", "path": "/body"}],
        "status": 400,
    }
    missing = await koha_http.post("/patrons", json={"surname": "X"})
    assert {e["path"] for e in missing.json()["errors"]} == {
        "/body/library_id",
        "/body/category_id",
    }


async def test_duplicate_cardnumber_is_409(koha_http: httpx.AsyncClient) -> None:
    first = (await koha_http.get("/patrons", params={"_per_page": 1})).json()[0]
    response = await koha_http.post(
        "/patrons",
        json={
            "surname": "Y",
            "library_id": "CPL",
            "category_id": "ST",
            "cardnumber": first["cardnumber"],
        },
    )
    assert response.status_code == 409
    assert response.json() == {"error": "Duplicate ID", "conflict": "cardnumber"}


async def test_pagination_headers(koha_http: httpx.AsyncClient) -> None:
    response = await koha_http.get(
        "/patrons", params={"_per_page": 4, "_page": 2, "q": '{"category_id": "ST"}'}
    )
    total, base = (
        int(response.headers["X-Total-Count"]),
        int(response.headers["X-Base-Total-Count"]),
    )
    assert len(response.json()) == 4 and base > total > 8
    assert set(response.links) == {"prev", "next", "first", "last"}
    assert (
        "_page=3" in response.links["next"]["url"]
        and "/koha/api/v1/patrons" in response.links["next"]["url"]
    )


async def test_bad_queries_and_missing_auth(sandbox_url: str, koha_http: httpx.AsyncClient) -> None:
    bad_json = await koha_http.get("/patrons", params={"q": "{not json"})
    assert bad_json.status_code == 400 and "error" in bad_json.json()
    bad_op = await koha_http.get("/patrons", params={"q": '{"surname": {"-regexp": "x"}}'})
    assert bad_op.status_code == 400 and "-regexp" in bad_op.json()["error"]
    bad_page = await koha_http.get("/patrons", params={"_page": "two"})
    assert bad_page.json()["errors"][0]["path"] == "/query/_page"
    async with httpx.AsyncClient() as anonymous:
        response = await anonymous.get(f"{sandbox_url}/koha/api/v1/patrons")
    assert response.status_code == 401 and response.json() == {"error": "Authentication failure."}
    wrong_grant = await koha_http.post("/oauth/token", data={"grant_type": "password"})
    assert wrong_grant.status_code == 400 and wrong_grant.json() == {
        "error": "Unimplemented grant type"
    }
