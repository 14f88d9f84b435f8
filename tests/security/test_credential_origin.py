"""Finding 1: a process designer could steal any connection's credentials by pointing its base URL
at a server of theirs and asking for a health check. A secret is now bound to the origin it was
stored for: moving a connection to another origin needs ``secrets:write``, and even then the
secret is not sent until someone with that permission stores it again for the new origin."""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from atrium.db import session_scope
from atrium.models import Integration
from tests.conftest import ClientFor
from tests.security.listener import Listener, listening

# system: (the sandbox's prefix for it, the health path the sandbox answers)
SYSTEMS = {
    "canvas": ("canvas", "/api/v1/accounts/1"),
    "oneroster": ("oneroster", "/ims/oneroster/rostering/v1p2/orgs?limit=1"),
}


async def health_check(api: httpx.AsyncClient, caller: httpx.AsyncClient, name: str) -> dict:
    """Run connection ``name``'s health check as ``caller``; its recorded result."""
    started = await caller.post(f"/api/v1/integrations/{name}/health-check")
    assert started.status_code == 202, started.text
    workflow_id = started.json()["workflow_id"]
    for _ in range(300):
        run = (await api.get(f"/api/v1/runs/{workflow_id}")).json()
        if run["status"] != "Running":
            break
        await asyncio.sleep(0.1)
    assert run["status"] == "Completed", run
    history = (await api.get(f"/api/v1/integrations/{name}/health", params={"limit": 1})).json()
    return dict(history[0])


@pytest.fixture
async def connection(
    request: pytest.FixtureRequest, api: httpx.AsyncClient, sandbox_url: str
) -> AsyncIterator[tuple[str, str, dict[str, str]]]:
    """A connection of the parametrised system to the sandbox, its secret stored by an
    administrator; removed (with its secret) afterwards. Yields (name, base_url, secret)."""
    system: str = request.param
    prefix, health_path = SYSTEMS[system]
    name = f"co-{system}-{uuid.uuid4().hex[:8]}"
    base_url = f"{sandbox_url}/{prefix}"
    async with httpx.AsyncClient() as http:
        secret = (await http.get(f"{sandbox_url}/_control/credentials/{prefix}")).json()
    body = {"name": name, "system": system, "base_url": base_url, "health_path": health_path}
    assert (await api.post("/api/v1/integrations", json=body)).status_code == 201
    try:
        stored = await api.put(f"/api/v1/integrations/{name}/secret", json={"values": secret})
        assert stored.status_code == 200, stored.text
        yield name, base_url, secret
    finally:
        await api.delete(f"/api/v1/integrations/{name}")


def secret_sent(listener: Listener, secret: dict[str, Any]) -> bool:
    """Whether any request the listener got carried the secret (bearer token or Basic auth)."""
    values = [v for v in secret.values() if isinstance(v, str) and len(v) >= 4]
    for header in listener.headers_named("Authorization"):
        decoded = header
        if header.startswith("Basic "):
            decoded = base64.b64decode(header.removeprefix("Basic ")).decode()
        if any(v in decoded for v in values):
            return True
    return False


@pytest.mark.parametrize("connection", ["canvas", "oneroster"], indirect=True)
async def test_a_designer_cannot_send_a_secret_elsewhere(
    api: httpx.AsyncClient,
    client_for: ClientFor,
    engine: Engine,
    connection: tuple[str, str, dict[str, str]],
) -> None:
    name, base_url, secret = connection
    designer = await client_for("process_designer")
    assert (await health_check(api, designer, name))["healthy"] is True  # the secret works

    with listening() as thief:
        # The attack: point the connection at the designer's server. Refused, saying why.
        moved = await designer.patch(f"/api/v1/integrations/{name}", json={"base_url": thief.url})
        assert moved.status_code == 403, moved.text
        assert "secrets:write" in moved.json()["error"]
        assert (await api.get(f"/api/v1/integrations/{name}")).json()["base_url"] == base_url
        # A path within the same origin is an ordinary edit.
        same_origin = await designer.patch(
            f"/api/v1/integrations/{name}", json={"base_url": base_url + "/v2"}
        )
        assert same_origin.status_code == 200, same_origin.text
        await designer.patch(f"/api/v1/integrations/{name}", json={"base_url": base_url})

        # Even a row changed behind the API's back (or by an administrator who did not store the
        # secret again) does not get the secret sent anywhere but where it was stored for.
        with session_scope(engine) as session:
            row = session.exec(select(Integration).where(Integration.name == name)).one()
            row.base_url = thief.url
            session.add(row)
            session.commit()
        check = await health_check(api, designer, name)
        assert check["healthy"] is False
        assert f"was stored for {base_url.rsplit('/', 1)[0]}" in check["detail"]
        assert "store the secret again" in check["detail"]
        assert not secret_sent(thief, secret), thief.received
        assert thief.received == []  # refused before dialling


@pytest.mark.parametrize("connection", ["canvas"], indirect=True)
async def test_an_administrator_moves_a_connection_and_stores_its_secret_again(
    api: httpx.AsyncClient, client_for: ClientFor, connection: tuple[str, str, dict[str, str]]
) -> None:
    name, base_url, secret = connection
    designer = await client_for("process_designer")
    with listening() as new_home:
        moved = await api.patch(f"/api/v1/integrations/{name}", json={"base_url": new_home.url})
        assert moved.status_code == 200, moved.text
        # Moved, but the secret stays bound to the old origin until stored again.
        refused = await health_check(api, designer, name)
        assert refused["healthy"] is False and "store the secret again" in refused["detail"]
        assert new_home.received == []

        again = await api.put(f"/api/v1/integrations/{name}/secret", json={"values": secret})
        assert again.status_code == 200
        works = await health_check(api, designer, name)
        assert works["healthy"] is True, works
        assert new_home.headers_named("Authorization") == [f"Bearer {secret['token']}"]

    audit = (await api.get("/api/v1/audit", params={"action": f"ORIGIN {name}:"})).json()
    new_origin = new_home.url  # http://127.0.0.1:<port>: already the origin's form
    assert [e["action"] for e in audit["items"]] == [
        f"ORIGIN {name}: {base_url.rsplit('/', 1)[0]} -> {new_origin}"
    ]
    stores = (await api.get("/api/v1/audit", params={"action": f"SECRET {name}:"})).json()
    assert [e["action"] for e in stores["items"]] == [
        f"SECRET {name}: stored for {new_origin}",  # newest first
        f"SECRET {name}: stored for {base_url.rsplit('/', 1)[0]}",
    ]


async def test_where_an_sftp_or_smtp_login_goes_is_a_credentials_decision(
    api: httpx.AsyncClient, client_for: ClientFor, sandbox_url: str
) -> None:
    """The bursar's SFTP login and the mail server's go to ``options.sftp_host`` /
    ``smtp_host``: a designer may not redirect them (nor the host key or CA that vouch for them)."""
    name = f"co-finance-{uuid.uuid4().hex[:8]}"
    body = {"name": name, "system": "finance", "base_url": f"{sandbox_url}/finance"}
    assert (await api.post("/api/v1/integrations", json=body)).status_code == 201
    try:
        designer = await client_for("process_designer")
        for options in ({"sftp_host": "198.51.100.7"}, {"sftp_host_key": "ssh-ed25519 AAAA"}):
            moved = await designer.patch(f"/api/v1/integrations/{name}", json={"options": options})
            assert moved.status_code == 403, moved.text
            assert "secrets:write" in moved.json()["error"]
        other = await designer.patch(
            f"/api/v1/integrations/{name}", json={"options": {"batch_size": 10}}
        )
        assert other.status_code == 200, other.text
        by_admin = await api.patch(
            f"/api/v1/integrations/{name}", json={"options": {"sftp_host": "198.51.100.7"}}
        )
        assert by_admin.status_code == 200
        audit = (await api.get("/api/v1/audit", params={"action": f"OPTIONS {name}:"})).json()
        assert [e["action"] for e in audit["items"]] == [f"OPTIONS {name}: sftp_host changed"]
    finally:
        await api.delete(f"/api/v1/integrations/{name}")
