"""One middleware writes the audit log and the RateLimit-* headers, so routes repeat neither.

Audited: every mutating call (POST, PUT, PATCH, DELETE), whatever its outcome, including refused
ones, and every access to a secret (any method on a ``/secret`` path).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import structlog
from fastapi.routing import iter_route_contexts
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

from api.auth import audit
from api.auth.principal import Principal
from api.auth.rate_limit import RateState
from atrium.models.audit import AuditEventBase

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Appends are serialised anyway (one chain); a thread of their own keeps a slow database lock from
# exhausting the default pool that authentication and the routes' Vault calls need.
_AUDIT_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit")
log = structlog.get_logger("api.audit")


def audited(method: str, path: str) -> bool:
    return method in MUTATING or path.endswith("/secret")


def route_template(request: Request) -> str:
    """The full path template of the route that answered (e.g. /api/v1/runs/{workflow_id}): the
    audit log names actions by route, not by the ids in one call's URL."""
    templates: dict[object, str] | None = getattr(request.app.state, "route_templates", None)
    if templates is None:
        templates = {
            route.endpoint: str(route.path)
            for route in iter_route_contexts(request.app.routes)
            if route.endpoint is not None
        }
        request.app.state.route_templates = templates
    return templates.get(request.scope.get("endpoint"), "unmatched")


def outcome_of(status: int) -> str:
    if status < 400:
        return "success"
    if status in (401, 403, 429):
        return "denied"
    return "failed"


class AuditAndRateHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        state: RateState | None = getattr(request.state, "rate_limit", None)
        if state is not None:
            for key, value in state.headers().items():
                response.headers.setdefault(key, value)
        if audited(request.method, request.url.path):
            await self._record(request, response.status_code)
        return response

    async def _record(self, request: Request, status: int) -> None:
        principal: Principal | None = getattr(request.state, "principal", None)
        route = route_template(request)
        event = AuditEventBase(
            actor=principal.subject if principal else getattr(request.state, "login", "anonymous"),
            actor_kind=principal.kind if principal else "anonymous",
            action=f"{request.method} {route}"[:200],
            path=request.url.path[:2048],
            client_ip=request.client.host if request.client else "",
            status=status,
            outcome=outcome_of(status),
            correlation_id=structlog.contextvars.get_contextvars().get("correlation_id", "")[:64],
        )
        try:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(_AUDIT_THREAD, audit.append, request.app.state.engine, event)
        except Exception as exc:  # the call already happened: say loudly that it went unrecorded
            log.error("audit append failed", action=event.action, error=type(exc).__name__)
