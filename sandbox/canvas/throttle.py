"""Canvas' request throttle: a leaky bucket per access token, plus token authentication.

Canvas (lib/canvas/request_throttle.rb, documented under "Throttling") charges every request a
pre-flight cost while it runs, credits it back when it ends and charges the real cost (time
spent); the bucket leaks at a constant rate and a request arriving at a full bucket gets
``403 Forbidden (Rate Limit Exceeded)``. Every answer carries ``X-Request-Cost`` and
``X-Rate-Limit-Remaining``.

With the ``rate_limit_per_second`` fault the emulator is stricter and simpler to reason about:
each request keeps its pre-flight cost and the bucket leaks ``rate * pre-flight`` per second, so
the sustained rate is ``rate`` requests per second after a burst of ``HIGH_WATER / PRE_FLIGHT``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.context import SystemContext

HIGH_WATER = 700.0
OUTFLOW_PER_SECOND = 10.0
PRE_FLIGHT = 50.0


@dataclass
class Bucket:
    level: float = 0.0
    stamp: float = 0.0


class Throttle:
    def __init__(self) -> None:
        self._buckets: dict[str, Bucket] = {}

    def _leaked(self, key: str, outflow: float) -> Bucket:
        now = time.monotonic()
        bucket = self._buckets.setdefault(key, Bucket(stamp=now))
        bucket.level = max(0.0, bucket.level - (now - bucket.stamp) * outflow)
        bucket.stamp = now
        return bucket

    def admit(self, key: str, strict_rate: float | None) -> bool:
        """Reserve the pre-flight cost; False when the bucket is already full."""
        outflow = strict_rate * PRE_FLIGHT if strict_rate else OUTFLOW_PER_SECOND
        bucket = self._leaked(key, outflow)
        if bucket.level >= HIGH_WATER:
            return False
        bucket.level += PRE_FLIGHT
        return True

    def settle(self, key: str, elapsed: float, strict_rate: float | None) -> tuple[float, float]:
        """Credit the pre-flight back and charge the real cost; returns (cost, remaining)."""
        outflow = strict_rate * PRE_FLIGHT if strict_rate else OUTFLOW_PER_SECOND
        bucket = self._leaked(key, outflow)
        cost = PRE_FLIGHT if strict_rate else elapsed
        bucket.level = max(0.0, bucket.level - PRE_FLIGHT + cost)
        return cost, max(0.0, HIGH_WATER - bucket.level)

    def remaining(self, key: str, strict_rate: float | None) -> float:
        outflow = strict_rate * PRE_FLIGHT if strict_rate else OUTFLOW_PER_SECOND
        return max(0.0, HIGH_WATER - self._leaked(key, outflow).level)


def bearer_token(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else None
    query = scope.get("query_string", b"").decode("latin-1")
    for pair in query.split("&"):
        key, _, value = pair.partition("=")
        if key == "access_token" and value:
            return value
    return None


class CanvasGate:
    """ASGI middleware: authenticate ``/api/v1`` calls, then meter them through the throttle."""

    def __init__(self, app: ASGIApp, ctx: SystemContext) -> None:
        self.app = app
        self.ctx = ctx
        self.throttle = Throttle()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or "/api/v1/" not in path:
            await self.app(scope, receive, send)
            return
        token = bearer_token(scope)
        if token is None:
            await _send_json(
                send,
                401,
                {
                    "status": "unauthenticated",
                    "errors": [{"message": "user authorization required"}],
                },
            )
            return
        if token != self.ctx.credentials.get("token"):
            await _send_json(
                send,
                401,
                {"errors": [{"message": "Invalid access token."}]},
                [(b"www-authenticate", b'Bearer realm="canvas-lms"')],
            )
            return
        strict = self.ctx.faults.rate_limit_per_second
        if not self.throttle.admit(token, strict):
            remaining = self.throttle.remaining(token, strict)
            await _send_text(
                send, 403, "403 Forbidden (Rate Limit Exceeded)", _cost_headers(0.0, remaining)
            )
            return
        started = time.perf_counter()
        settled = False

        async def metered_send(message: Message) -> None:
            nonlocal settled
            if message["type"] == "http.response.start" and not settled:
                settled = True
                cost, remaining = self.throttle.settle(token, time.perf_counter() - started, strict)
                message["headers"] = [*message.get("headers", []), *_cost_headers(cost, remaining)]
            await send(message)

        try:
            await self.app(scope, receive, metered_send)
        finally:
            if not settled:
                self.throttle.settle(token, time.perf_counter() - started, strict)


def _cost_headers(cost: float, remaining: float) -> list[tuple[bytes, bytes]]:
    return [
        (b"x-request-cost", f"{cost:.6f}".encode()),
        (b"x-rate-limit-remaining", f"{remaining:.1f}".encode()),
    ]


async def _send_json(
    send: Send, status: int, body: object, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    payload = json.dumps(body).encode()
    await _send(send, status, payload, b"application/json; charset=utf-8", headers or [])


async def _send_text(
    send: Send, status: int, text: str, headers: list[tuple[bytes, bytes]]
) -> None:
    await _send(send, status, text.encode(), b"text/plain; charset=utf-8", headers)


async def _send(
    send: Send, status: int, payload: bytes, content_type: bytes, headers: list[tuple[bytes, bytes]]
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(payload)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
