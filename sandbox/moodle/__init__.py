"""Emulated Moodle (4.5): the REST web service at ``/webservice/rest/server.php``.

State lives in ``moodle.db``; the token of the site's web service user (the admin) is derived from
the seed and checked against ``ctx.credentials`` on every call, so rotation takes effect at once.
"""

from __future__ import annotations

import hashlib

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from sandbox.context import SystemContext
from sandbox.moodle import store
from sandbox.moodle.control import control_router
from sandbox.moodle.functions import REGISTRY, Site
from sandbox.moodle.server import RestServer


def demo_token(seed: int) -> str:
    """Moodle tokens are 32 hex characters (an md5); ours is stable for a given seed."""
    return hashlib.md5(f"atrium-moodle-{seed}".encode(), usedforsecurity=False).hexdigest()


def create_app(ctx: SystemContext) -> FastAPI:
    ctx.credentials.setdefault("token", demo_token(ctx.seed))
    conn = ctx.connect()
    store.init(conn)
    server = RestServer(ctx, Site(conn=conn, ctx=ctx, functions=REGISTRY))
    app = FastAPI(title="Moodle (sandbox)", docs_url=None, redoc_url=None, openapi_url=None)

    @app.api_route("/webservice/rest/server.php", methods=["GET", "POST"])
    async def rest_server(request: Request) -> Response:
        return await server.handle(request)

    app.include_router(control_router(conn))
    return app
