"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest

from api.deps import CredentialsDep, EngineDep, TemporalDep
from atrium.db import ping

router = APIRouter(tags=["health"])


@router.get("/healthz")
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


@router.get("/readyz", responses={503: {"description": "a component is down"}})
async def readyz(client: TemporalDep, credentials: CredentialsDep, engine: EngineDep) -> JSONResponse:
    """Readiness: Temporal, Vault and the database all answer."""
    temporal, vault, database = await asyncio.gather(
        _temporal_ok(client), credentials.healthy(), asyncio.to_thread(ping, engine)
    )
    components = {
        "temporal": "ok" if temporal else "down",
        "vault": "ok" if vault else "down",
        "database": "ok" if database else "down",
    }
    down = [name for name, state in components.items() if state == "down"]
    if down:
        return JSONResponse(
            {"status": "unavailable", "down": down, "components": components,
             "error": f"not ready: {', '.join(down)} down"},
            status_code=503,
        )
    return JSONResponse({"status": "ready", "components": components})


@router.get("/metrics", response_class=Response)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
