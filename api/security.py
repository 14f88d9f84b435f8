"""Who is calling and what they may do. Every route declares one permission:

    principal: Principal = require("runs:read")          # as a parameter (gets the caller)
    @router.post(..., dependencies=[require("runs:start")])  # or on the decorator
    Depends(require("runs:start"))                        # also accepted

``require`` authenticates the caller (``Authorization: Bearer <jwt>`` for users, ``X-API-Key`` or
``Authorization: Bearer atr_...`` for machine clients), counts the call against the caller's rate
limit, and checks the permission against the one matrix in api/auth/rbac.py: 401 with
``WWW-Authenticate`` when unauthenticated, 403 naming the missing permission, 429 when over the
limit. Routes that must stay open (probes, login, signed webhooks) declare ``public("why")``
instead, so the route-by-role test knows the omission is deliberate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Depends, HTTPException, Request
from fastapi.params import Depends as DependsParam
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer

from api.auth import threats
from api.auth.authenticate import authenticate
from api.auth.principal import Principal
from api.auth.rate_limit import RateLimiter
from api.auth.rbac import PERMISSIONS

__all__ = ["Principal", "public", "require"]

# Declared only so the OpenAPI document (and /docs, and schemathesis) know how to authenticate;
# authenticate() reads the headers itself.
_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False)


async def _check(request: Request, permission: str) -> Principal:
    principal = await authenticate(request)
    request.state.principal = principal
    await threats.key_used(request, principal)  # a key from a network never seen for it
    limiter: RateLimiter = request.app.state.rate_limiter
    state = await limiter.hit(limiter.per_caller, "caller", principal.subject)
    if state is not None:
        request.state.rate_limit = state
        if not state.allowed:
            raise HTTPException(
                429, f"rate limit: {state.limit} calls per window for {principal.subject}",
                headers=state.headers(),
            )  # fmt: skip
    if principal.must_enrol and not principal.can(permission):
        raise HTTPException(
            403,
            "second factor: your role must log in with one; enrol it first "
            "(POST /api/v1/auth/second-factor/enrolment), then log in again",
        )
    if not principal.can(permission):
        raise HTTPException(403, f"forbidden: this call needs the permission {permission!r}")
    return principal


@dataclass(frozen=True)
class Requirement(DependsParam):
    """``Depends(checker)`` that is itself callable, so ``Depends(require(...))`` works too."""

    atrium_permission: str = field(default="", kw_only=True)

    async def __call__(
        self,
        request: Request,
        _bearer_token: str | None = Depends(_bearer),
        _key: str | None = Depends(_api_key),
    ) -> Principal:
        return await _check(request, self.atrium_permission)


def require(permission: str) -> Any:
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}: add it to api/auth/rbac.py")

    async def checker(
        request: Request,
        _bearer_token: str | None = Depends(_bearer),
        _key: str | None = Depends(_api_key),
    ) -> Principal:
        return await _check(request, permission)

    checker.atrium_permission = permission  # type: ignore[attr-defined]
    return Requirement(checker, atrium_permission=permission)


def public(reason: str) -> Any:
    """Mark a route as deliberately open to anonymous callers, saying why."""

    async def open_route() -> None:
        return None

    open_route.atrium_public = reason  # type: ignore[attr-defined]
    return Depends(open_route)
