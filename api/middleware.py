"""Request middleware: correlation id, request metrics and the body-size limit (pure ASGI).

The limit holds while the body streams in, not only against Content-Length: every
``http.request`` message is counted as the app receives it, and the first byte past the limit
ends the request with 413 (or, if an answer has already begun, aborts it). A chunked body of any
size thus costs the API at most the limit in memory. Routes with a smaller limit of their own
(signed webhooks) keep checking it themselves.
"""

from __future__ import annotations

import random
import time

import structlog
from fastapi.responses import JSONResponse
from prometheus_client import Counter, Histogram
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter("atrium_api_requests_total", "API requests", ["method", "route", "status"])
LATENCY = Histogram("atrium_api_request_seconds", "API request latency", ["method", "route"])
log = structlog.get_logger("api")


class BodyTooLarge(HTTPException):
    """Raised by the counting ``receive``: an HTTPException, so FastAPI's body parsing lets it
    through and the app's error handler answers 413 in the API's own error shape."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"body: larger than {limit} bytes")


def too_large(limit: int) -> JSONResponse:
    return JSONResponse({"error": f"body: larger than {limit} bytes"}, status_code=413)


class RequestContext:
    def __init__(
        self, app: ASGIApp, max_body_bytes: int, larger: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        # path -> its own limit (uploads), enforced on the bytes read like every other limit
        self.larger = larger or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        incoming = headers.get("x-correlation-id", "")
        if not (0 < len(incoming) <= 64 and incoming.isprintable()):
            incoming = f"{random.getrandbits(128):032x}"  # nosec B311  # a log-joining id, not a secret
        cid = incoming
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(correlation_id=cid)
        length = headers.get("content-length")
        limit = self.larger.get(scope["path"], self.max_body_bytes)
        if length and (not length.isdigit() or int(length) > limit):
            await too_large(limit)(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app raises before answering
        received = 0
        answering = False

        async def receive_counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def send_with_id(message: Message) -> None:
            nonlocal status, answering
            if message["type"] == "http.response.start":
                answering = True
                status = message["status"]
                MutableHeaders(scope=message)["X-Correlation-ID"] = cid
            await send(message)

        try:
            await self.app(scope, receive_counted, send_with_id)
        except BodyTooLarge:
            # Reached here only when no handler answered it (a body read outside a route). Once an
            # answer has begun, re-raising makes the server abort the connection.
            if answering:
                raise
            await too_large(limit)(scope, receive, send_with_id)
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


# One policy for the console, /docs and the API's JSON. Scripts only from this origin, never
# inline (the console's build and /docs load script files only). Styles also inline: the
# console's MUI (emotion) and Swagger UI inject <style> elements and style attributes at run time.
# Images and fonts may be data: URLs (MUI and Swagger UI icons). Nothing from another origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Frame-Options", "DENY"),  # frame-ancestors for browsers that predate it
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


class SecurityHeaders:
    """Adds the security headers to every answer; HSTS only when the request came over https
    (directly, or through a trusted proxy's X-Forwarded-Proto): over plain http it means nothing
    and, on a host later served over https, it would be a promise nobody made."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = (*SECURITY_HEADERS, HSTS) if scope.get("scheme") == "https" else SECURITY_HEADERS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra:
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
