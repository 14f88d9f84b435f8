"""Request middleware: correlation id, request metrics and the body-size limit (pure ASGI)."""

from __future__ import annotations

import random
import time

import structlog
from fastapi.responses import JSONResponse
from prometheus_client import Counter, Histogram
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter("atrium_api_requests_total", "API requests", ["method", "route", "status"])
LATENCY = Histogram("atrium_api_request_seconds", "API request latency", ["method", "route"])
log = structlog.get_logger("api")


class RequestContext:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        incoming = headers.get("x-correlation-id", "")
        if not (0 < len(incoming) <= 64 and incoming.isprintable()):
            incoming = f"{random.getrandbits(128):032x}"  # a log-joining id, not a secret
        cid = incoming
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(correlation_id=cid)
        length = headers.get("content-length")
        if length and (not length.isdigit() or int(length) > self.max_body_bytes):
            answer = JSONResponse(
                {"error": f"body: larger than {self.max_body_bytes} bytes"}, status_code=413
            )
            await answer(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app raises before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Correlation-ID"] = cid
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            elapsed = time.perf_counter() - started
            REQUESTS.labels(scope["method"], route, str(status)).inc()
            LATENCY.labels(scope["method"], route).observe(elapsed)
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                ms=round(elapsed * 1000, 1),
            )
