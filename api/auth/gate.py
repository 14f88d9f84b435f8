"""401 before the body is read, for a request that carries no credential at all to a route that
needs one.

FastAPI reads and parses a request's body before it solves the route's dependencies, so without
this an anonymous caller could make the API read (up to the body limit) and parse a body only to
be told 401 afterwards. Here, in the ASGI layer, a request to a route that declares ``require(...)``
and has no ``Authorization``, ``X-API-Key`` or console session cookie gets the very 401 that
``authenticate()`` would give, before anything is received. Whether a credential is *valid* is
still decided by ``authenticate()`` in the route's dependency. Public routes (``public("why")``:
login, probes, signed webhooks) and paths no route matches go through untouched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts
from starlette.datastructures import Headers
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from api.auth.authenticate import MISSING_CREDENTIALS, SESSION_COOKIE, unauthorized
from api.errors import problem


def has_credential(headers: Headers) -> bool:
    if headers.get("authorization") or headers.get("x-api-key"):
        return True
    return f"{SESSION_COOKIE}=" in headers.get("cookie", "")


def _needs_credential(dependant: Any) -> bool:
    """Whether a route's dependencies (at any depth) include a ``require(...)``."""
    for dep in dependant.dependencies:
        if getattr(dep.call, "atrium_permission", None) is not None or _needs_credential(dep):
            return True
    return False


@dataclass(frozen=True)
class _Route:
    pattern: re.Pattern[str]
    methods: frozenset[str]
    protected: bool
    endpoint: Any


def _api_routes(app: Any) -> list[_Route]:
    """The app's API routes in matching order (included routers flattened)."""
    table = []
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIRoute) and route.path:
            table.append(
                _Route(
                    pattern=compile_path(str(route.path))[0],
                    methods=frozenset(route.methods or ()),
                    protected=_needs_credential(route.dependant),
                    endpoint=route.endpoint,
                )
            )
    return table


class CredentialGate:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._routes: list[_Route] | None = None  # built on the first anonymous request

    def _match(self, scope: Scope) -> tuple[_Route, dict[str, str]] | None:
        if self._routes is None:
            self._routes = _api_routes(scope["app"])
        for route in self._routes:
            found = route.pattern.match(scope["path"])
            if found and scope["method"] in route.methods:
                return route, found.groupdict()
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or has_credential(Headers(scope=scope)):
            await self.app(scope, receive, send)
            return
        found = self._match(scope)
        if found is None or not found[0].protected:
            await self.app(scope, receive, send)
            return
        # The matched endpoint, so the audit log names the route that was refused.
        scope["endpoint"], scope["path_params"] = found[0].endpoint, found[1]
        refusal = unauthorized(MISSING_CREDENTIALS)
        answer = problem(refusal.status_code, str(refusal.detail))
        answer.headers.update(refusal.headers or {})
        await answer(scope, receive, send)
