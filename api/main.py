"""The FastAPI application: wiring only. Routes live in api/routes/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from api import errors
from api.middleware import RequestContext
from api.routes import health, integrations, processes, runs
from atrium.credentials import credentials_from_settings
from atrium.db import make_engine
from atrium.settings import Settings, get_settings
from atrium.temporal import connect

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.engine = make_engine(settings.database_url)
        app.state.credentials = credentials_from_settings(settings)
        # Created once; lazy so the API serves (and /readyz says why) while Temporal is down.
        app.state.temporal = await connect(settings.temporal, lazy=True)
        yield
        app.state.engine.dispose()

    app = FastAPI(
        title="Atrium",
        version="1",
        summary="Integration hub for a school's systems",
        lifespan=lifespan,
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    errors.install(app)
    app.add_middleware(RequestContext, max_body_bytes=settings.api.max_body_bytes)
    app.include_router(health.router)
    v1 = APIRouter(prefix=API_PREFIX)
    for module in (processes, runs, integrations):
        v1.include_router(module.router)
    app.include_router(v1)
    return app
