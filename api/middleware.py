"""Request middleware: correlation id, request metrics and the body-size limit."""

from __future__ import annotations

import time
import uuid

import structlog
from fastapi.responses import JSONResponse
from prometheus_client import Counter, Histogram
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

REQUESTS = Counter("atrium_api_requests_total", "API requests", ["method", "route", "status"])
LATENCY = Histogram("atrium_api_request_seconds", "API request latency", ["method", "route"])
log = structlog.get_logger("api")


class RequestContext(BaseHTTPMiddleware):
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        super().__init__(app)
        self.max_body_bytes = max_body_bytes

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        incoming = request.headers.get("x-correlation-id", "")
        cid = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(correlation_id=cid)
        length = request.headers.get("content-length")
        if length and (not length.isdigit() or int(length) > self.max_body_bytes):
            return JSONResponse(
                {"error": f"body: larger than {self.max_body_bytes} bytes"}, status_code=413
            )
        started = time.perf_counter()
        response = await call_next(request)
        route = getattr(request.scope.get("route"), "path", "unmatched")
        elapsed = time.perf_counter() - started
        REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        LATENCY.labels(request.method, route).observe(elapsed)
        response.headers["X-Correlation-ID"] = cid
        log.info(
            "request",
            method=request.method,
            path=request.url.path,
            status=response.status_code,
            ms=round(elapsed * 1000, 1),
        )
        return response
