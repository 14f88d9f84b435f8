"""The OneRoster 1.2 SIS emulator, mounted by the sandbox under ``/oneroster``.

Routes (relative to the mount):
- ``POST /oauth/token`` - OAuth 2.0 client credentials, OneRoster 1.2 scopes
- ``/ims/oneroster/rostering/v1p2/...`` - rostering service (read)
- ``/ims/oneroster/gradebook/v1p2/...`` - gradebook service (every operation of the binding)
- ``/ims/oneroster/resources/v1p2/...`` - resources service (read)
- ``GET /csv/export?type=bulk|delta&since=...`` - OneRoster 1.2 CSV zip (bearer token needed)
- ``/_control/mutate``, ``/_control/settings``, ``/_control/info`` - test controls
"""

from __future__ import annotations

import logging

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse

from sandbox.context import SystemContext
from sandbox.oneroster import bulk_csv, control, errors, gradebook, resources, rostering
from sandbox.oneroster.auth import ROSTER, demo_credentials, guard, token_endpoint
from sandbox.oneroster.runtime import Runtime
from sandbox.oneroster.schema import GRADEBOOK, RESOURCES, ROSTERING, create_tables
from sandbox.oneroster.store import ensure_seeded

log = logging.getLogger("sandbox.oneroster")


def create_app(ctx: SystemContext) -> FastAPI:
    ctx.credentials.update(demo_credentials(ctx.seed))
    prefix = f"/{ctx.name}"
    report = ensure_seeded(ctx.db_path(), seed=ctx.seed, size=ctx.size, prefix=prefix)
    if report.seeded:
        log.info(
            "oneroster seeded size=%s rows=%d generate=%.1fs load=%.1fs",
            ctx.size,
            report.rows,
            report.generate_seconds,
            report.load_seconds,
        )
    rt = Runtime(ctx=ctx, prefix=prefix)
    create_tables(rt.conn())  # no-op on a seeded file; keeps older files compatible

    app = FastAPI(title="OneRoster 1.2 SIS (sandbox)", docs_url=None, redoc_url=None)
    app.state.runtime = rt
    errors.install(app)

    @app.post("/oauth/token")
    async def token(request: Request) -> JSONResponse:
        return await token_endpoint(request, rt)

    @app.get("/csv/export", dependencies=[Depends(guard(rt, ROSTER))])
    def csv_export(request: Request) -> Response:
        return bulk_csv.export(request, rt)

    app.include_router(rostering.build_router(rt), prefix=ROSTERING)
    app.include_router(gradebook.build_router(rt), prefix=GRADEBOOK)
    app.include_router(resources.build_router(rt), prefix=RESOURCES)
    app.include_router(control.build_router(rt))
    return app
