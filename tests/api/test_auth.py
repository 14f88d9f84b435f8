"""Login, tokens (and their expiry), API keys (scopes, expiry, revocation) and user accounts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.engine import Engine

from api.auth import tokens
from api.auth.signing_key import SigningKey
from atrium.credentials import Credentials
from tests.support.auth import PASSWORD, bearer, generation_of, login, make_api_key, make_user


async def test_login_issues_a_token_that_identifies_the_user(api_url: str, engine: Engine) -> None:
    username = make_user(engine, "professor", class_ids=["c-9a"])
    async with httpx.AsyncClient(base_url=api_url) as client:
        answer = await client.post(
            "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["token_type"] == "bearer" and answer.json()["expires_in"] > 0
        me = await client.get("/api/v1/auth/me", headers=bearer(answer.json()["access_token"]))
    assert me.status_code == 200
    assert me.json()["subject"] == username and me.json()["role"] == "professor"
    assert me.json()["class_ids"] == ["c-9a"]
    assert "runs:read" in me.json()["permissions"] and "runs:start" not in me.json()["permissions"]


async def test_wrong_password_unknown_user_and_disabled_account_get_401(
    api_url: str, engine: Engine
) -> None:
    username = make_user(engine, "secretary")
    disabled = make_user(engine, "secretary", disabled=True)
    async with httpx.AsyncClient(base_url=api_url) as client:
        for user, password in (
            (username, "wrong"),
            ("nobody-here", PASSWORD),
            (disabled, PASSWORD),
        ):
            answer = await client.post(
                "/api/v1/auth/token", data={"username": user, "password": password}
            )
            assert answer.status_code == 401, user
            assert "username or password" in answer.json()["error"]
            assert answer.headers["www-authenticate"].startswith("Bearer")
        missing = await client.post("/api/v1/auth/token", data={"username": username})
        assert missing.status_code == 422 and "password" in missing.json()["error"]


async def test_expired_and_forged_tokens_are_refused(
    api_url: str, engine: Engine, credentials: Credentials
) -> None:
    username = make_user(engine, "leader")
    key = await SigningKey(credentials).get()  # the same key the API made at first use
    gen = generation_of(engine, username)
    fresh = tokens.issue(key, username, "leader", timedelta(minutes=5), generation=gen)
    expired = tokens.issue(key, username, "leader", timedelta(seconds=-1), generation=gen)
    forged = tokens.issue(
        b"not-the-key" * 8, username, "administrator", timedelta(minutes=5), generation=gen
    )
    async with httpx.AsyncClient(base_url=api_url) as client:
        assert (await client.get("/api/v1/auth/me", headers=bearer(fresh))).status_code == 200
        answer = await client.get("/api/v1/auth/me", headers=bearer(expired))
        assert answer.status_code == 401 and "expired" in answer.json()["error"]
        assert 'error="invalid_token"' in answer.headers["www-authenticate"]
        answer = await client.get("/api/v1/auth/me", headers=bearer(forged))
        assert answer.status_code == 401 and "invalid" in answer.json()["error"]


async def test_a_disabled_user_is_cut_off_at_once(
    api: httpx.AsyncClient, api_url: str, engine: Engine
) -> None:
    username = make_user(engine, "secretary")
    token = login(api_url, username)
    async with httpx.AsyncClient(base_url=api_url, headers=bearer(token)) as client:
        assert (await client.get("/api/v1/processes")).status_code == 200
        changed = await api.patch(f"/api/v1/users/{username}", json={"disabled": True})
        assert changed.status_code == 200 and changed.json()["disabled"] is True
        assert (await client.get("/api/v1/processes")).status_code == 401


async def test_api_key_is_shown_once_hashed_scoped_and_revocable(
    api: httpx.AsyncClient, api_url: str
) -> None:
    created = await api.post(
        "/api/v1/api-keys", json={"name": "sis nightly", "scopes": ["processes:read", "runs:read"]}
    )
    assert created.status_code == 201, created.text
    key, key_id = created.json()["key"], created.json()["id"]
    assert key.startswith("atr_") and len(key) > 40
    listed = await api.get("/api/v1/api-keys")
    assert key not in listed.text and key_id in [k["id"] for k in listed.json()["items"]]
    assert key not in (await api.get(f"/api/v1/api-keys/{key_id}")).text
    async with httpx.AsyncClient(base_url=api_url) as client:
        assert (
            await client.get("/api/v1/processes", headers={"X-API-Key": key})
        ).status_code == 200
        assert (await client.get("/api/v1/processes", headers=bearer(key))).status_code == 200
        # The owner is an administrator, but the key carries only its scopes.
        denied = await client.get("/api/v1/integrations", headers={"X-API-Key": key})
        assert denied.status_code == 403 and "integrations:read" in denied.json()["error"]
        assert (await api.delete(f"/api/v1/api-keys/{key_id}")).status_code == 204
        revoked = await client.get("/api/v1/processes", headers={"X-API-Key": key})
        assert revoked.status_code == 401 and "revoked" in revoked.json()["error"]
        unknown = await client.get("/api/v1/processes", headers={"X-API-Key": "atr_" + "x" * 43})
        assert unknown.status_code == 401


async def test_api_key_expiry(api_url: str, engine: Engine, api: httpx.AsyncClient) -> None:
    owner = make_user(engine, "auditor")
    _, expired = make_api_key(
        engine, owner, ["processes:read"], datetime.now(UTC) - timedelta(seconds=1)
    )
    _, valid = make_api_key(
        engine, owner, ["processes:read"], datetime.now(UTC) + timedelta(hours=1)
    )
    async with httpx.AsyncClient(base_url=api_url) as client:
        answer = await client.get("/api/v1/processes", headers={"X-API-Key": expired})
        assert answer.status_code == 401 and "expired" in answer.json()["error"]
        assert (
            await client.get("/api/v1/processes", headers={"X-API-Key": valid})
        ).status_code == 200
    past = await api.post(
        "/api/v1/api-keys",
        json={"name": "x", "scopes": ["runs:read"], "expires_at": "2001-01-01T00:00:00Z"},
    )
    assert past.status_code == 422 and "expires_at" in past.json()["error"]


async def test_api_key_scopes_must_be_known_and_within_the_creator_rights(
    api: httpx.AsyncClient,
) -> None:
    unknown = await api.post("/api/v1/api-keys", json={"name": "x", "scopes": ["coffee:make"]})
    assert unknown.status_code == 422 and "scopes" in unknown.json()["error"]
    empty = await api.post("/api/v1/api-keys", json={"name": "x", "scopes": []})
    assert empty.status_code == 422 and "scopes" in empty.json()["error"]


async def test_users_crud_and_validation(api: httpx.AsyncClient, client_for: Any) -> None:
    username = f"prof-{uuid.uuid4().hex[:6]}"
    body = {
        "username": username,
        "role": "professor",
        "password": "a-long-enough-password",
        "class_ids": ["c-1"],
    }
    created = await api.post("/api/v1/users", json=body)
    assert created.status_code == 201, created.text
    assert "password" not in created.text and "hash" not in created.text
    assert (await api.post("/api/v1/users", json=body)).status_code == 409
    bad_role = await api.post(
        "/api/v1/users", json=body | {"username": "x" + username, "role": "king"}
    )
    assert bad_role.status_code == 422 and "role" in bad_role.json()["error"]
    short = await api.post(
        "/api/v1/users", json=body | {"username": "y" + username, "password": "short"}
    )
    assert short.status_code == 422 and "password" in short.json()["error"]
    bad_class = await api.post(
        "/api/v1/users", json=body | {"username": "z" + username, "class_ids": ["a' OR 1=1"]}
    )
    assert bad_class.status_code == 422 and "class_ids" in bad_class.json()["error"]
    patched = await api.patch(
        f"/api/v1/users/{username}", json={"role": "leader", "full_name": None}
    )
    assert patched.status_code == 200 and patched.json()["role"] == "leader"
    assert (await api.get("/api/v1/users", params={"role": "leader"})).json()["total"] >= 1
    assert (await api.delete(f"/api/v1/users/{username}")).status_code == 204
    assert (await api.get(f"/api/v1/users/{username}")).status_code == 404
    secretary = await client_for("secretary")
    denied = await secretary.get("/api/v1/users")
    assert denied.status_code == 403 and "users:manage" in denied.json()["error"]


async def test_a_call_without_any_credential_is_refused_before_its_body_and_audited(
    api_url: str, api: httpx.AsyncClient
) -> None:
    """api/auth/gate.py answers for the route: the same 401 as authenticate(), audited under
    the route's name; public routes (the login) still get to answer themselves."""
    marker = uuid.uuid4().hex
    async with httpx.AsyncClient(base_url=api_url) as anonymous:
        refused = await anonymous.post(f"/api/v1/runs/{marker}/cancel", content=b"{}")
        login_tried = await anonymous.post(
            "/api/v1/auth/token", data={"username": marker, "password": "x"}
        )
    assert refused.status_code == 401
    assert refused.json()["error"].startswith("authentication: missing credentials")
    assert refused.headers["WWW-Authenticate"] == 'Bearer realm="atrium"'
    assert login_tried.status_code == 401 and "username or password" in login_tried.json()["error"]
    entries = (await api.get("/api/v1/audit", params={"limit": 100})).json()["items"]
    audited = [e for e in entries if e["path"] == f"/api/v1/runs/{marker}/cancel"]
    assert len(audited) == 1
    assert audited[0]["action"] == "POST /api/v1/runs/{workflow_id}/cancel"
    assert audited[0]["actor"] == "anonymous" and audited[0]["outcome"] == "denied"
