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


class BodyTooLarge(Exception):
    """A body went past its route's limit while being read (no Content-Length told us before)."""


def _bounded(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
        return message

    return counted


class RequestContext:
    def __init__(
        self, app: ASGIApp, max_body_bytes: int, larger: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        # path -> its own limit (uploads), enforced on the bytes read too: the route catches
        # BodyTooLarge where it reads the body and answers 413
        self.larger = larger or {}

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
        limit = self.larger.get(scope["path"], self.max_body_bytes)
        if length and (not length.isdigit() or int(length) > limit):
            answer = JSONResponse({"error": f"body: larger than {limit} bytes"}, status_code=413)
            await answer(scope, receive, send)
            return
        if scope["path"] in self.larger:
            receive = _bounded(receive, limit)
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
