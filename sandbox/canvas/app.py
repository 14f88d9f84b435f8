"""The Canvas LMS emulator: ``create_app(ctx)`` builds the FastAPI app mounted at ``/canvas``."""

from __future__ import annotations

from fastapi import FastAPI

from sandbox.canvas.db import Database, now_iso
from sandbox.canvas.errors import CanvasApiError, handle_canvas_error
from sandbox.canvas.routes import (
    accounts,
    assignments,
    control,
    courses,
    enrollments,
    gradebook,
    logins,
    sections,
    sis_imports,
    users,
)
from sandbox.canvas.seed import demo_token, seed_if_empty
from sandbox.canvas.state import CanvasState
from sandbox.canvas.throttle import CanvasGate
from sandbox.context import SystemContext


def create_app(ctx: SystemContext) -> FastAPI:
    ctx.credentials.setdefault("token", demo_token(ctx.seed))
    db = Database(ctx)
    db.create_schema()
    seed_if_empty(db.conn(), ctx.seed, ctx.size)
    # An import cut off by a restart will not resume: say so instead of leaving it "importing".
    db.conn().execute(
        "UPDATE sis_imports SET workflow_state = 'failed', ended_at = ?,"
        ' processing_errors = \'[["sis_import", "Interrupted by a restart"]]\''
        " WHERE workflow_state IN ('initializing', 'created', 'importing')",
        (now_iso(),),
    )
    app = FastAPI(title="Canvas LMS (sandbox)", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.canvas = CanvasState(ctx=ctx, db=db)
    app.add_exception_handler(CanvasApiError, handle_canvas_error)
    app.add_middleware(CanvasGate, ctx=ctx)
    for module in (
        accounts,
        users,
        logins,
        courses,
        sections,
        enrollments,
        assignments,
        gradebook,
        sis_imports,
        control,
    ):
        app.include_router(module.router)
    return app
