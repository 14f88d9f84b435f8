"""Finding 9 (first half): an API key scoped to ``users:manage`` created an administrator. No
principal may grant a role or a scope beyond its own rights, nor take over an account above them."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import select

from atrium.db import session_scope
from atrium.models import ApiKey
from tests.support.auth import make_user


async def _key(api: httpx.AsyncClient, scopes: list[str]) -> tuple[int, str]:
    created = await api.post("/api/v1/api-keys", json={"name": "escalation", "scopes": scopes})
    assert created.status_code == 201, created.text
    return created.json()["id"], created.json()["key"]


def _new_user(role: str) -> dict[str, str]:
    return {
        "username": f"esc-{uuid.uuid4().hex[:8]}",
        "role": role,
        "password": "a-long-enough-password",
    }


async def test_a_key_scoped_to_users_manage_cannot_mint_an_administrator(
    api: httpx.AsyncClient, api_url: str
) -> None:
    key_id, key = await _key(api, ["users:manage"])
    try:
        async with httpx.AsyncClient(base_url=api_url, headers={"X-API-Key": key}) as attacker:
            for role in ("administrator", "process_designer", "student"):
                body = _new_user(role)
                answer = await attacker.post("/api/v1/users", json=body)
                assert answer.status_code == 403, (role, answer.text)
                assert role in answer.json()["error"] and "role" in answer.json()["error"]
                assert (await api.get(f"/api/v1/users/{body['username']}")).status_code == 404
    finally:
        assert (await api.delete(f"/api/v1/api-keys/{key_id}")).status_code == 204


async def test_a_key_cannot_take_over_or_promote_an_account_beyond_its_rights(
    api: httpx.AsyncClient, api_url: str, engine: Engine
) -> None:
    admin = make_user(engine, "administrator")
    student = make_user(engine, "student")
    # Enough to manage students (their permissions plus users:manage), nothing more.
    key_id, key = await _key(api, ["users:manage", "profile:read", "runs:read"])
    try:
        async with httpx.AsyncClient(base_url=api_url, headers={"X-API-Key": key}) as attacker:
            takeover = await attacker.patch(
                f"/api/v1/users/{admin}", json={"password": "attacker-chose-this"}
            )
            assert takeover.status_code == 403 and "administrator" in takeover.json()["error"]
            promote = await attacker.patch(f"/api/v1/users/{student}", json={"role": "leader"})
            assert promote.status_code == 403 and "leader" in promote.json()["error"]
            removed = await attacker.delete(f"/api/v1/users/{admin}")
            assert removed.status_code == 403
            # Within its rights, the key works: the refusals above are about rights, not keys.
            body = _new_user("student")
            created = await attacker.post("/api/v1/users", json=body)
            assert created.status_code == 201, created.text
            renamed = await attacker.patch(f"/api/v1/users/{student}", json={"full_name": "S"})
            assert renamed.status_code == 200, renamed.text
        assert (await api.get(f"/api/v1/users/{student}")).json()["role"] == "student"
        assert (await api.get(f"/api/v1/users/{admin}")).json()["disabled"] is False
        assert (await api.delete(f"/api/v1/users/{body['username']}")).status_code == 204
    finally:
        assert (await api.delete(f"/api/v1/api-keys/{key_id}")).status_code == 204
        for username in (admin, student):
            await api.delete(f"/api/v1/users/{username}")


async def test_a_key_cannot_mint_a_key_with_more_scopes_than_it_holds(
    api: httpx.AsyncClient, api_url: str, engine: Engine
) -> None:
    key_id, key = await _key(api, ["api_keys:manage"])
    try:
        async with httpx.AsyncClient(base_url=api_url, headers={"X-API-Key": key}) as attacker:
            name = f"wider-{uuid.uuid4().hex[:8]}"
            answer = await attacker.post(
                "/api/v1/api-keys", json={"name": name, "scopes": ["users:manage"]}
            )
            assert answer.status_code == 403, answer.text
            assert "users:manage" in answer.json()["error"]
        with session_scope(engine) as session:
            assert session.exec(select(ApiKey).where(ApiKey.name == name)).first() is None
    finally:
        assert (await api.delete(f"/api/v1/api-keys/{key_id}")).status_code == 204
