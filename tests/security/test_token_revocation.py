"""Finding 9 (second half): a login token kept working after its user's password changed or the
user was disabled. Tokens carry the user's generation (claim ``gen``); changing the password,
the role or the disabled flag moves it on, and every token issued before is refused."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine

from tests.support.auth import PASSWORD, bearer, login, make_user

NEW_PASSWORD = "a-brand-new-password-42"


async def _me(api_url: str, token: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=api_url) as client:
        return await client.get("/api/v1/auth/me", headers=bearer(token))


def _refused_as_revoked(answer: httpx.Response) -> None:
    assert answer.status_code == 401, answer.text
    assert "revoked" in answer.json()["error"]
    assert 'error="invalid_token"' in answer.headers["www-authenticate"]


@pytest.mark.parametrize(
    "change",
    [
        [{"password": NEW_PASSWORD}],
        [{"role": "leader"}],
        [{"disabled": True}, {"disabled": False}],  # re-enabled: the old token stays dead
    ],
    ids=["password", "role", "disable-then-enable"],
)
async def test_changes_to_an_account_revoke_its_tokens(
    api: httpx.AsyncClient, api_url: str, engine: Engine, change: list[dict[str, Any]]
) -> None:
    username = make_user(engine, "secretary")
    stolen = login(api_url, username)
    assert (await _me(api_url, stolen)).status_code == 200
    for step in change:
        changed = await api.patch(f"/api/v1/users/{username}", json=step)
        assert changed.status_code == 200, changed.text
    _refused_as_revoked(await _me(api_url, stolen))
    # The owner signs in again (with the new password if it changed) and works as before.
    password = NEW_PASSWORD if "password" in change[0] else PASSWORD
    assert (await _me(api_url, login(api_url, username, password))).status_code == 200
    assert (await api.delete(f"/api/v1/users/{username}")).status_code == 204


async def test_other_changes_keep_tokens_valid(
    api: httpx.AsyncClient, api_url: str, engine: Engine
) -> None:
    username = make_user(engine, "professor", class_ids=["c-1"])
    token = login(api_url, username)
    for step in ({"full_name": "Ada L."}, {"class_ids": ["c-2"]}, {"disabled": False}):
        assert (await api.patch(f"/api/v1/users/{username}", json=step)).status_code == 200
    me = await _me(api_url, token)
    assert me.status_code == 200 and me.json()["class_ids"] == ["c-2"]
    assert (await api.delete(f"/api/v1/users/{username}")).status_code == 204


async def test_a_token_of_a_deleted_account_does_not_fit_a_new_one_of_the_same_name(
    api: httpx.AsyncClient, api_url: str, engine: Engine
) -> None:
    username = make_user(engine, "auditor")
    old = login(api_url, username)
    assert (await api.delete(f"/api/v1/users/{username}")).status_code == 204
    body = {"username": username, "role": "auditor", "password": NEW_PASSWORD}
    assert (await api.post("/api/v1/users", json=body)).status_code == 201
    _refused_as_revoked(await _me(api_url, old))
    assert (await api.delete(f"/api/v1/users/{username}")).status_code == 204
