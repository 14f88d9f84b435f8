"""Every route against every role, straight from ``app.routes``: a new route without a permission
fails here, and each role gets exactly what api/auth/rbac.py grants it."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy.engine import Engine

from api.auth.rbac import MATRIX, PERMISSIONS, Role
from api.main import create_app
from atrium.settings import Settings
from tests.support.auth import bearer, login, make_user

# Public on purpose: FastAPI's documentation pages, and the console's static files (code, no data;
# the console then logs in through /api/v1/auth/token like any client).
FRAMEWORK_ROUTES = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/assets"}


def _markers(dependant: Any) -> tuple[set[str], set[str]]:
    """Permissions required and public() reasons declared anywhere in a route's dependencies."""
    permissions, public = set(), set()
    for dep in dependant.dependencies:
        if (permission := getattr(dep.call, "atrium_permission", None)) is not None:
            permissions.add(permission)
        if (reason := getattr(dep.call, "atrium_public", None)) is not None:
            public.add(reason)
        sub_permissions, sub_public = _markers(dep)
        permissions |= sub_permissions
        public |= sub_public
    return permissions, public


def routes(settings: Settings) -> list[tuple[str, str, str | None]]:
    """(method, path, permission or None when public) for every route of the app."""
    out = []
    for route in iter_route_contexts(create_app(settings).routes):  # included routers flattened
        if not isinstance(route.original_route, APIRoute):
            assert route.path in FRAMEWORK_ROUTES, f"{route.path}: unexpected non-API route"
            continue
        permissions, public = _markers(route.dependant)
        assert permissions or public, f"{route.path} declares neither require(...) nor public(...)"
        assert len(permissions) <= 1, f"{route.path} requires several permissions: {permissions}"
        for method in sorted((route.methods or set()) - {"HEAD", "OPTIONS"}):
            out.append((method, str(route.path), next(iter(permissions), None)))
    return out


def test_every_route_declares_a_known_permission(settings: Settings) -> None:
    table = routes(settings)
    assert len(table) > 20
    for method, path, permission in table:
        assert permission is None or permission in PERMISSIONS, (method, path, permission)
    public = {path for _, path, permission in table if permission is None}
    assert "/healthz" in public and "/api/v1/auth/token" in public
    assert "/api/v1/runs" not in public and "/metrics" not in public
    # Secret-handling routes are in the table, so every role below is checked against them.
    for route in (
        ("POST", "/api/v1/webhooks/sources/{name}/rotate-secret", "webhooks:manage"),
        ("POST", "/api/v1/subscriptions/{subscription_id}/rotate-secret", "subscriptions:manage"),
    ):
        assert route in table, route


def test_every_permission_is_known_and_the_admin_has_them_all() -> None:
    assert MATRIX[Role.administrator] == frozenset(PERMISSIONS)
    assert {r.value for r in Role} == {
        "administrator", "process_designer", "secretary", "leader",
        "professor", "student", "auditor",
    }  # fmt: skip
    for role, granted in MATRIX.items():
        assert granted <= set(PERMISSIONS), role
    assert all(p.endswith(":read") for p in MATRIX[Role.auditor])


async def _status(
    client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str]
) -> int:
    url = re.sub(r"\{[^}]+\}", "999999", path)  # matches every path pattern; names nothing real
    body: dict[str, str] | None = {} if method in ("POST", "PUT", "PATCH") else None
    try:
        if path.endswith("/stream"):  # Server-Sent Events: read the headers, then hang up
            async with client.stream(method, url, headers=headers) as answer:
                return answer.status_code
        return (await client.request(method, url, json=body, headers=headers)).status_code
    except httpx.TimeoutException:
        return 0  # reported as a wrong answer, with the route's name


@pytest.mark.parametrize("role", [r.value for r in Role])
async def test_each_role_gets_exactly_its_permissions(
    role: str, settings: Settings, api_url: str, engine: Engine
) -> None:
    headers = bearer(login(api_url, make_user(engine, role, person_id="p-1", class_ids=["c-1"])))
    granted = MATRIX[Role(role)]
    table = [r for r in routes(settings) if r[2] is not None and r[1] != "/api/v1/auth/token"]
    # A few at a time: routes use synchronous sessions, and many more concurrent calls than the
    # connection pool holds stall the server (reported; not what this test is about).
    limit = asyncio.Semaphore(4)

    async def status_of(method: str, path: str) -> int:
        async with limit:
            return await _status(client, method, path, headers)

    async with httpx.AsyncClient(base_url=api_url, timeout=30) as client:
        statuses = await asyncio.gather(*(status_of(m, p) for m, p, _ in table))
    wrong = []
    for (method, path, permission), status in zip(table, statuses, strict=True):
        if permission in granted and status in (401, 403):
            wrong.append(f"{method} {path}: {role} has {permission} but got {status}")
        if permission not in granted and status != 403:
            wrong.append(f"{method} {path}: {role} lacks {permission} but got {status}")
    assert not wrong, "\n".join(wrong)


async def test_anonymous_callers_get_401_with_a_challenge(settings: Settings, api_url: str) -> None:
    table = [r for r in routes(settings) if r[2] is not None]
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as client:
        for method, path, _ in table:
            url = re.sub(r"\{[^}]+\}", "999999", path)
            answer = await client.request(method, url, json={} if method != "GET" else None)
            assert answer.status_code == 401, f"{method} {path}: {answer.status_code}"
            assert answer.headers["www-authenticate"].startswith("Bearer"), path
            assert "authentication" in answer.json()["error"], path


async def test_denied_answer_names_the_missing_permission(client_for: Any) -> None:
    student = await client_for("student", person_id="p-2")
    answer = await student.post("/api/v1/runs", json={"process": "x", "input": {}})
    assert answer.status_code == 403
    assert "runs:start" in answer.json()["error"]
