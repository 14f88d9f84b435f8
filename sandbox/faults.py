"""Middleware that applies each system's injected faults to the requests under its prefix."""

from __future__ import annotations

import asyncio
import random

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

from sandbox.context import SystemContext


class FaultMiddleware(BaseHTTPMiddleware):
    def __init__(self, app: ASGIApp, systems: dict[str, SystemContext]) -> None:
        super().__init__(app)
        self.systems = systems
        self.rng = random.Random()

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        prefix = request.url.path.strip("/").split("/", 1)[0]
        ctx = self.systems.get(prefix)
        if ctx is None:
            return await call_next(request)
        faults = ctx.faults
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if faults.timeout_rate and self.rng.random() < faults.timeout_rate:
            await asyncio.sleep(faults.timeout_seconds)
        if faults.error_rate and self.rng.random() < faults.error_rate:
            return JSONResponse({"error": "injected fault"}, status_code=503)
        return await call_next(request)
