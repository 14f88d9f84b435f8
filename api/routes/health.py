"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest

from api.auth.responses import COMMON_ERRORS
from api.deps import CredentialsDep, EngineDep, TemporalDep
from api.security import public, require
from atrium.db import ping
from atrium.metrics.state import ClusterState
from atrium.temporal import TaskQueues

router = APIRouter(tags=["health"])


@router.get("/healthz", dependencies=[public("liveness probe")])
async def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


async def _temporal_ok(client: TemporalDep) -> bool:
    try:
        await client.workflow_service.get_system_info(
            GetSystemInfoRequest(), timeout=timedelta(seconds=2)
        )
        return True
    except Exception:
        return False


@router.get(
    "/readyz",
    dependencies=[public("readiness probe")],
    responses={503: {"description": "a component is down, or the replica is draining"}},
)
async def readyz(
    request: Request, client: TemporalDep, credentials: CredentialsDep, engine: EngineDep
) -> JSONResponse:
    """Readiness: Temporal, Vault and the database all answer, and the replica is not draining
    (api/draining.py: 503 "draining" between SIGTERM and its stop). ``eager_worker`` (running,
    starting or off) is for information: without it runs start all the same, just not eagerly."""
    temporal, vault, database = await asyncio.gather(
        _temporal_ok(client), credentials.healthy(), asyncio.to_thread(ping, engine)
    )
    components = {
        "temporal": "ok" if temporal else "down",
        "vault": "ok" if vault else "down",
        "database": "ok" if database else "down",
        "eager_worker": getattr(request.app.state, "eager_worker", "off"),
    }
    down = [name for name, state in components.items() if state == "down"]
    if getattr(request.app.state, "draining", False):  # stopping: send no new requests here
        return JSONResponse(
            {"status": "draining", "down": down, "components": components, "error": "draining"},
            status_code=503,
        )
    if down:
        return JSONResponse(
            {
                "status": "unavailable",
                "down": down,
                "components": components,
                "error": f"not ready: {', '.join(down)} down",
            },
            status_code=503,
        )
    return JSONResponse({"status": "ready", "components": components})


@router.get(
    "/metrics",
    response_class=Response,
    dependencies=[require("metrics:read")],
    responses=COMMON_ERRORS,
)
async def metrics(request: Request, engine: EngineDep) -> Response:
    """Prometheus metrics; scrapers authenticate with an API key scoped to metrics:read. This
    process's (requests, connector calls, webhook intake) and the deployment's state (quarantine,
    dead letters, intake depth, task-queue backlogs: atrium/metrics/state.py, read at most every
    few seconds)."""
    state = request.app.state
    if getattr(state, "cluster_state", None) is None:
        queues = TaskQueues.from_settings(state.settings.temporal)
        state.cluster_state = ClusterState(
            engine,
            lambda: state.temporal,  # the eager worker's client once it is connected
            [queues.main, queues.events],
            dispatch_mode=lambda: (
                webhooks.intake.mode if (webhooks := getattr(state, "webhooks", None)) else None
            ),
        )
    own = await state.cluster_state.exposition()
    return Response(generate_latest() + own, media_type=CONTENT_TYPE_LATEST)
