"""Koha ILS emulator: the REST API v1 (patrons, restrictions, OAuth2 client credentials).

Follows Koha's OpenAPI spec (``api/v1/swagger``: ``paths/patrons.yaml``,
``definitions/patron.yaml``, ``paths/oauth.yaml``) and the controller behaviour of
``Koha/REST/V1/Patrons.pm`` and ``OAuth.pm``. Mounted under ``/koha``, so the API lives at
``/koha/api/v1``. See ``sandbox/koha/restrictions.py`` for the one route that goes beyond the
spec.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from sandbox.context import SystemContext
from sandbox.koha.auth import authentication_failure, demo_credentials, issue_token
from sandbox.koha.patrons import register_patron_routes
from sandbox.koha.restrictions import register_restriction_routes
from sandbox.koha.store import open_db
from sandbox.throttle import Throttle


def create_app(ctx: SystemContext) -> FastAPI:
    ctx.credentials.update(demo_credentials(ctx.seed))
    conn = ctx.connect()
    open_db(conn, ctx.seed, ctx.size)
    app = FastAPI(title="Koha REST API (sandbox)", docs_url=None, openapi_url=None)
    throttle = Throttle()
    rng = random.Random()

    @app.middleware("http")
    async def guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        # Koha itself has no rate limit; the 429 stands for the proxy in front of it.
        wait = throttle.retry_after(ctx.faults.rate_limit_per_second)
        if wait is not None:
            return JSONResponse(
                {"error": "Too many requests"},
                status_code=429,
                headers={"Retry-After": str(max(1, round(wait)))},
            )
        path = request.url.path
        if path.endswith("/api/v1/oauth/token") or "/_control/" in path:
            return await call_next(request)
        failure = authentication_failure(ctx, conn, request)
        return failure if failure is not None else await call_next(request)

    @app.post("/api/v1/oauth/token")
    async def token(request: Request) -> JSONResponse:
        return await issue_token(ctx, conn, request)

    def maybe_malformed(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Apply the ``malformed_rate`` fault: records that break the patron definition."""
        rate = ctx.faults.malformed_rate
        if not rate:
            return records
        return [
            {**r, "patron_id": f"P-{r['patron_id']}", "library_id": None}
            if rng.random() < rate
            else r
            for r in records
        ]

    register_patron_routes(app, conn, maybe_malformed)
    register_restriction_routes(app, conn)

    @app.get("/_control/patrons/count")
    async def patron_count() -> dict[str, int]:
        return {"count": conn.execute("SELECT count(*) FROM patrons").fetchone()[0]}

    return app
