"""The FastAPI application: wiring only. Routes live in api/routes/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import errors
from api.auth.gate import CredentialGate
from api.auth.middleware import AuditAndRateHeaders, AuditWriter
from api.auth.oidc import OidcVerifier
from api.auth.rate_limit import RateLimiter
from api.auth.responses import COMMON_ERRORS, document_lookup_errors
from api.auth.signing_key import SigningKey
from api.console import mount_console
from api.docs import mount_docs
from api.eager_worker import eager_worker
from api.events.lifecycle import events_started
from api.middleware import RequestContext, SecurityHeaders
from api.routes import (
    actions,
    alerts,
    api_keys,
    audit,
    auth,
    capacity,
    codec,
    conflicts,
    designed_runs,
    flows,
    health,
    intake,
    integrations,
    mappings,
    privacy,
    process_definitions,
    processes,
    proctoring_webhooks,
    quarantine,
    reports,
    roster_packages,
    runs,
    schedules,
    second_factor,
    security_events,
    security_findings,
    slas,
    stats,
    subscriptions,
    triggers,
    users,
    webhooks,
)
from api.routes import events as events_routes
from atrium.capacity.usage import rolled_up
from atrium.credentials import credentials_from_settings
from atrium.db import make_engine
from atrium.egress import EgressPolicy
from atrium.logging import configure_logging
from atrium.metrics.calls import install as install_call_metrics
from atrium.payload_codec import payload_codec
from atrium.security_signals import SignalMonitor
from atrium.settings import Settings, get_settings
from atrium.temporal import connect

API_PREFIX = "/api/v1"


def _document_errors(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_lookup_errors(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        install_call_metrics()  # connector calls made here (the eager worker's) are measured
        app.state.engine = make_engine(settings.database_url)
        app.state.audit = AuditWriter(app.state.engine)
        app.state.credentials = credentials_from_settings(settings)
        app.state.signing_key = SigningKey(app.state.credentials)
        oidc, egress = settings.api.oidc, EgressPolicy.from_egress(settings.egress)
        app.state.oidc = OidcVerifier(oidc, egress) if oidc else None
        app.state.rate_limiter = RateLimiter(
            settings.api.rate_limit_storage,
            settings.api.rate_limit,
            settings.api.login_rate_limit,
            settings.api.login_address_rate_limit,
        )
        app.state.threats = SignalMonitor(app.state.engine, settings.security)  # issue 16
        # Created once; lazy so the API serves (and /readyz says why) while Temporal is down.
        app.state.codec = payload_codec(app.state.credentials, settings.temporal.payload_key)
        app.state.temporal = await connect(settings.temporal, lazy=True, codec=app.state.codec)
        queues = [settings.temporal.task_queue, settings.temporal.events_task_queue]
        every = settings.capacity.flush_seconds  # the eager worker's outbound calls count too
        async with (
            events_started(app, settings),
            eager_worker(app, settings),
            rolled_up(app.state.engine, app.state.temporal, queues, every),
        ):
            yield
        app.state.audit.close()
        app.state.engine.dispose()

    app = FastAPI(
        title="Atrium",
        version="1",
        summary="Integration hub for a school's systems",
        lifespan=lifespan,
        docs_url=None,  # served by mount_docs, without a CDN
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    errors.install(app)
    # Outermost last. The gate refuses credential-less calls to protected routes before their
    # body is read, inside the audit middleware (so the refusal is audited) and RequestContext
    # (correlation id, streaming body limit); every answer gets the security headers; the client
    # address and scheme are those a trusted proxy forwarded, else the peer's.
    app.add_middleware(CredentialGate)
    app.add_middleware(AuditAndRateHeaders)  # inside RequestContext: sees the correlation id
    app.add_middleware(
        RequestContext,
        max_body_bytes=settings.api.max_body_bytes,
        larger={roster_packages.PATH: roster_packages.MAX_UPLOAD_BYTES},
    )
    app.add_middleware(SecurityHeaders)
    if settings.api.trusted_proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.api.trusted_proxies)
    app.include_router(health.router)
    v1 = APIRouter(prefix=API_PREFIX, responses=COMMON_ERRORS)
    # Webhooks first: routes are matched in order, and they carry the traffic. Proctoring's
    # before /webhooks/{source}, being more specific.
    for module in (proctoring_webhooks, webhooks, subscriptions, events_routes):
        v1.include_router(module.router)
    v1.include_router(intake.router)  # what became of each event the webhook intake accepted
    for module in (processes, actions, runs, codec, integrations, auth, users, api_keys, audit):
        v1.include_router(module.router)
    for module in (mappings, quarantine, conflicts, stats, roster_packages):  # the sync engine
        v1.include_router(module.router)
    v1.include_router(second_factor.router)  # TOTP enrolment and the login's second step
    v1.include_router(security_findings.router)
    v1.include_router(security_events.router)  # what threat detection noticed, and did
    v1.include_router(alerts.router)
    v1.include_router(slas.router)
    v1.include_router(flows.router)  # the data-flow graph and lineage
    v1.include_router(capacity.router)  # capacity advice
    v1.include_router(reports.router)  # the monthly report and its delivery by email
    v1.include_router(process_definitions.router)  # the process designer
    v1.include_router(designed_runs.router)  # its dry runs and per-step views
    v1.include_router(schedules.router)  # schedules that start processes
    v1.include_router(triggers.router)  # events of runs that start designed processes
    v1.include_router(privacy.router)  # GDPR: exports, erasures, retention
    app.include_router(v1)
    _document_errors(app)
    mount_docs(app)
    mount_console(app)  # the built console at /, when ui/dist exists
    return app


def app_from_environment() -> FastAPI:
    """The app of one of several API processes (``api.workers`` > 1): settings from ATRIUM_*."""
    from atrium.gc_tuning import tune_gc

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    app = create_app(settings)
    tune_gc()
    return app
