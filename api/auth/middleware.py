"""One middleware writes the audit log and the RateLimit-* headers, so routes repeat neither.

Audited: every mutating call (POST, PUT, PATCH, DELETE), whatever its outcome, including refused
ones and ones that failed with an error, and every access to a secret (any method on a
``/secret`` path). The entry is committed before the answer leaves: the middleware holds the
response's first message until ``AuditWriter`` has chained it. Pure ASGI (no
``BaseHTTPMiddleware``): no extra task and body copy per request on the webhook path.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import structlog
from fastapi.routing import iter_route_contexts
from sqlalchemy.engine import Engine
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth.principal import Principal
from api.auth.rate_limit import RateState
from atrium import audit
from atrium.models.audit import AuditEventBase

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
log = structlog.get_logger("api.audit")


def audited(method: str, path: str) -> bool:
    return method in MUTATING or path.endswith("/secret")


def outcome_of(status: int) -> str:
    if status < 400:
        return "success"
    if status in (401, 403, 429):
        return "denied"
    return "failed"


class AuditWriter:
    """Chains audit entries in batches: under load, one transaction (and one read of the chain's
    tail) for every entry waiting, instead of one each. Callers still wait for their own entry
    to be committed. Appends run on a thread of their own, so a slow database lock never takes
    the default pool that authentication and the routes' Vault calls need."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit")
        self._pending: list[tuple[AuditEventBase, asyncio.Future[str]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def append(self, event: AuditEventBase) -> str:
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._pending.append((event, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_pending())
        return await future

    async def _write_pending(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending:
            batch, self._pending = self._pending, []
            events = [event for event, _ in batch]
            try:
                hashes = await loop.run_in_executor(
                    self._thread, audit.append_many, self.engine, events
                )
            except Exception as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), digest in zip(batch, hashes, strict=True):
                if not future.done():
                    future.set_result(digest)

    def close(self) -> None:
        self._thread.shutdown(wait=True)


def route_template(scope: Scope) -> str:
    """The full path template of the route that answered (e.g. /api/v1/runs/{workflow_id}): the
    audit log names actions by route, not by the ids in one call's URL."""
    app_state = scope["app"].state
    templates: dict[object, str] | None = getattr(app_state, "route_templates", None)
    if templates is None:
        templates = {
            route.endpoint: str(route.path)
            for route in iter_route_contexts(scope["app"].routes)
            if route.endpoint is not None
        }
        app_state.route_templates = templates
    return templates.get(scope.get("endpoint"), "unmatched")


class AuditAndRateHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        is_audited = audited(scope["method"], path)
        answered = False

        async def send_with_headers(message: Message) -> None:
            nonlocal answered
            if message["type"] == "http.response.start":
                answered = True
                state: dict[str, Any] = scope.get("state", {})
                rate: RateState | None = state.get("rate_limit")
                if rate is not None:
                    headers = MutableHeaders(scope=message)
                    for key, value in rate.headers().items():
                        if key not in headers:
                            headers[key] = value
                if is_audited:
                    await self._record(scope, message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if is_audited and not answered:  # the error handler answers 500 further out
                await self._record(scope, 500)
            raise

    async def _record(self, scope: Scope, status: int) -> None:
        state: dict[str, Any] = scope.get("state", {})
        principal: Principal | None = state.get("principal")
        client = scope.get("client")
        route = route_template(scope)
        event = AuditEventBase(
            actor=principal.subject if principal else state.get("login", "anonymous"),
            actor_kind=principal.kind if principal else "anonymous",
            action=f"{scope['method']} {route}"[:200],
            path=scope["path"][:2048],
            client_ip=client[0] if client else "",
            status=status,
            outcome=outcome_of(status),
            correlation_id=structlog.contextvars.get_contextvars().get("correlation_id", "")[:64],
        )
        writer: AuditWriter = scope["app"].state.audit
        try:
            await writer.append(event)
        except Exception as exc:  # the call already happened: say loudly that it went unrecorded
            log.error("audit append failed", action=event.action, error=type(exc).__name__)
