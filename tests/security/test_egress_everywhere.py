"""Finding 3: a designer could point a ``generic`` or ``koha`` connection at OpenBao, the Temporal
UI or 169.254.169.254 and read 300 characters of the answer in the health detail. Every outbound
connection now passes the egress guard (atrium/egress.py): integration base URLs, health checks,
every connector, the OIDC issuer's keys; and a health detail never echoes an answer's body.

The suite allows 127.0.0.1 (the sandbox and the tests' own servers, tests/conftest.py); 127.0.0.2
is loopback too and stands in for an inside service nobody allowed."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from temporalio.client import Client
from temporalio.worker import Worker

from api.main import create_app
from atrium.db import session_scope
from atrium.egress import EgressPolicy, EgressRefused, GuardedTransport
from atrium.models import Integration
from atrium.settings import EgressSettings, OidcSettings, SandboxSettings, Settings
from atrium.stack.up import sandbox_allowed
from connectors.credentials import static_credentials
from connectors.generic import GenericApiClient
from connectors.generic.config import GenericApiConfig
from tests.conftest import ClientFor
from tests.security.listener import listening
from tests.security.test_credential_origin import health_check
from tests.support.servers import free_port, serve
from workflows.health_check import HealthCheckAllInput, IntegrationHealthCheckAll

INSIDE = "INSIDE-SERVICE-ANSWER-" + uuid.uuid4().hex  # what an attacker wants to read


@pytest.fixture
async def names(api: httpx.AsyncClient) -> AsyncIterator[list[str]]:
    """Connections a test creates (through the API or behind it): all removed afterwards."""
    created: list[str] = []
    yield created
    for name in created:
        await api.delete(f"/api/v1/integrations/{name}")


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data",  # cloud metadata
        "http://127.0.0.2:8200/v1/sys/health",  # loopback not allowed (an OpenBao elsewhere)
        "http://10.0.0.5/",  # private
        "http://[::ffff:169.254.169.254]/",
    ],
)
async def test_a_designer_cannot_point_a_connection_inside(
    client_for: ClientFor, api: httpx.AsyncClient, names: list[str], sandbox_url: str, url: str
) -> None:
    designer = await client_for("process_designer")
    name = f"eg-{uuid.uuid4().hex[:8]}"
    for system in ("generic", "koha"):
        body = {"name": name, "system": system, "base_url": url}
        created = await designer.post("/api/v1/integrations", json=body)
        assert created.status_code == 422, created.text
        assert [f["field"] for f in created.json()["fields"]] == ["base_url"]
        assert "egress" in created.json()["error"].lower() or "address" in created.json()["error"]
    body = {"name": name, "system": "koha", "base_url": f"{sandbox_url}/koha"}
    assert (await designer.post("/api/v1/integrations", json=body)).status_code == 201
    names.append(name)
    moved = await designer.patch(f"/api/v1/integrations/{name}", json={"base_url": url})
    assert moved.status_code == 422 and "base_url" in moved.json()["error"]


@pytest.mark.parametrize("system", ["generic", "koha"])
async def test_health_checks_do_not_call_inside_addresses(
    client_for: ClientFor, api: httpx.AsyncClient, engine: Engine, names: list[str], system: str
) -> None:
    """A connection row that points inside (written before the guard, or behind the API's
    back): its health check is refused before any connection is made."""
    designer = await client_for("process_designer")
    with listening("127.0.0.2", body=INSIDE.encode()) as inside:
        name = f"eg-{uuid.uuid4().hex[:8]}"
        with session_scope(engine) as session:
            row = Integration(
                name=name, system=system, base_url=inside.url, health_path="/", description=""
            )
            session.add(row)
            session.commit()
        names.append(name)
        check = await health_check(api, designer, name)
    assert check["healthy"] is False
    assert "egress guard" in check["detail"] and "ATRIUM_EGRESS__ALLOWED_HOSTS" in check["detail"]
    assert inside.received == [] and INSIDE not in check["detail"]


@pytest.mark.parametrize(("system", "status"), [("generic", 200), ("koha", 500), ("koha", 401)])
async def test_a_health_detail_never_echoes_the_answer(
    client_for: ClientFor, names: list[str], api: httpx.AsyncClient, system: str, status: int
) -> None:
    designer = await client_for("process_designer")
    with listening("127.0.0.1", status=status, body=INSIDE.encode()) as server:
        name = f"eg-{uuid.uuid4().hex[:8]}"
        body = {"name": name, "system": system, "base_url": server.url}
        assert (await designer.post("/api/v1/integrations", json=body)).status_code == 201
        names.append(name)
        check = await health_check(api, designer, name)
        assert server.received  # it was called: an allowed address
    assert INSIDE not in check["detail"] and INSIDE[:20] not in check["detail"]
    assert str(status) in check["detail"], check["detail"]


async def test_connectors_in_the_worker_dial_only_allowed_addresses(worker: Worker) -> None:
    """The worker installs the guard as every connector's transport (atrium.egress.configure):
    a connector built by any activity, without a transport of its own, is refused inside."""
    with listening("127.0.0.2", body=b"[]") as inside:
        config = GenericApiConfig.model_validate(
            {"name": "x", "base_url": inside.url, "endpoints": {"all": {"path": "/all"}}}
        )
        async with GenericApiClient(config, static_credentials({})) as client:
            with pytest.raises(EgressRefused, match="ATRIUM_EGRESS__ALLOWED_HOSTS"):
                async for _ in client.records("all"):
                    pass
    assert inside.received == []


async def test_make_up_allows_the_sandbox_port_not_openbao(
    settings: Settings, sandbox_url: str
) -> None:
    """`atrium up` allows the sandbox's host:port only: OpenBao and Temporal listen on the same
    loopback address and stay out of reach (atrium/stack/up.py)."""
    port = httpx.URL(sandbox_url).port
    assert port is not None
    stack = Settings(sandbox=SandboxSettings(port=port), egress=EgressSettings())
    policy = EgressPolicy.from_egress(EgressSettings(allowed_hosts=sandbox_allowed(stack)))
    await policy.check(f"{sandbox_url}/koha")
    for inside in (settings.vault.address, f"http://127.0.0.1:{settings.temporal.ui_port}"):
        with pytest.raises(EgressRefused, match="must be https"):  # not the allowed port
            await policy.check(inside)
        with pytest.raises(EgressRefused, match="127.0.0.1 is a loopback address"):
            await policy.check(inside.replace("http://", "https://"))
    config = GenericApiConfig.model_validate(
        {
            "name": "x",
            "base_url": settings.vault.address,
            "endpoints": {"h": {"path": "/v1/sys/health"}},
        }
    )
    guarded = GuardedTransport(policy)
    async with GenericApiClient(config, static_credentials({}), transport=guarded) as client:
        with pytest.raises(EgressRefused):
            await client.call("h")


def _token(issuer: str) -> str:
    """A well-formed RS256 token of ``issuer``: enough to make the API fetch the issuer's keys."""

    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    claims = {"iss": issuer, "aud": "atrium-test", "sub": "x", "exp": 4_000_000_000}
    return f"{part({'alg': 'RS256', 'kid': 'k'})}.{part(claims)}.{part({'s': 1})}"


async def test_oidc_keys_are_not_fetched_from_inside(settings: Settings) -> None:
    """An issuer whose discovery document names a JWKS URL inside: the API answers 503 and never
    calls it (pyjwt would have fetched it with urllib)."""
    with listening("127.0.0.2", body=b'{"keys": []}') as inside:
        port = free_port()
        issuer = f"http://127.0.0.1:{port}"

        async def discovery(_: Request) -> Response:
            return JSONResponse({"issuer": issuer, "jwks_uri": f"{inside.url}/keys"})

        app = Starlette(routes=[Route("/.well-known/openid-configuration", discovery)])
        oidc = OidcSettings(issuer=issuer, audience="atrium-test", role_map={"a": "administrator"})
        api_settings = settings.api.model_copy(update={"port": free_port(), "oidc": oidc})
        with (
            serve(app, port=port),
            serve(create_app(settings.model_copy(update={"api": api_settings}))) as api_url,
        ):
            async with httpx.AsyncClient(base_url=api_url, timeout=30) as http:
                answer = await http.get(
                    "/api/v1/auth/me", headers={"Authorization": f"Bearer {_token(issuer)}"}
                )
                await asyncio.sleep(0)
    assert answer.status_code == 503, answer.text
    assert inside.received == []


async def test_one_broken_connection_does_not_fail_the_others(
    api: httpx.AsyncClient,
    temporal_client: Client,
    settings: Settings,
    engine: Engine,
    names: list[str],
    sandbox_url: str,
) -> None:
    """Finding 10 (part): a connection whose base URL cannot be used (a NUL written before the
    edge refused it) is reported unhealthy by health-check-all; the others are still checked."""
    good, broken = f"eg-good-{uuid.uuid4().hex[:6]}", f"eg-bad-{uuid.uuid4().hex[:6]}"
    body = {"name": good, "system": "koha", "base_url": f"{sandbox_url}/koha"}
    assert (await api.post("/api/v1/integrations", json=body)).status_code == 201
    names.append(good)
    with session_scope(engine) as session:
        url = "http://a\x00b.example"
        session.add(
            Integration(
                name=broken, system="generic", base_url=url, health_path="/", description=""
            )
        )
        session.commit()
    names.append(broken)
    result = await temporal_client.execute_workflow(
        IntegrationHealthCheckAll.run,
        HealthCheckAllInput(),
        id=f"test-health-all-{uuid.uuid4().hex[:8]}",
        task_queue=settings.temporal.task_queue,
        execution_timeout=timedelta(seconds=60),
    )
    by_name = {r.integration: r for r in result.results}
    assert not by_name[broken].healthy and "\x00" not in by_name[broken].detail
    assert "base_url" in by_name[broken].detail or "URL" in by_name[broken].detail
    assert by_name[good].detail and by_name[good].status_code is not None  # it was called
    with session_scope(engine) as session:
        rows = session.exec(
            select(Integration).where(col(Integration.name).in_([good, broken]))
        ).all()
    statuses = {r.name: r.status for r in rows}
    assert statuses[broken] == "unhealthy"
    assert statuses[good] == ("healthy" if by_name[good].healthy else "unhealthy")
