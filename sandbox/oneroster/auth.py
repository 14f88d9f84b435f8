"""OAuth 2.0 client credentials (RFC 6749 section 4.4) as OneRoster 1.2 requires, with its scopes.

``POST /oauth/token`` takes ``grant_type=client_credentials`` and an optional space-separated
``scope``; the client authenticates with HTTP Basic or ``client_id``/``client_secret`` form
fields. Tokens are opaque, stored in SQLite with the hash of the secret they were issued under:
rotating the secret through ``/_control/credentials/oneroster`` makes every older token fail.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import time
from collections.abc import Callable
from urllib.parse import unquote

from fastapi import Request
from fastapi.responses import JSONResponse

from sandbox.oneroster.errors import ImsxError
from sandbox.oneroster.runtime import Runtime

SCOPE_PREFIX = "https://purl.imsglobal.org/spec/or/v1p2/scope/"
ROSTER = SCOPE_PREFIX + "roster.readonly"
ROSTER_CORE = SCOPE_PREFIX + "roster-core.readonly"
ROSTER_DEMOGRAPHICS = SCOPE_PREFIX + "roster-demographics.readonly"
GRADEBOOK_READ = SCOPE_PREFIX + "gradebook.readonly"
GRADEBOOK_WRITE = SCOPE_PREFIX + "gradebook.createput"
GRADEBOOK_DELETE = SCOPE_PREFIX + "gradebook.delete"
GRADEBOOK_CORE = SCOPE_PREFIX + "gradebook-core.readonly"
GRADEBOOK_POST = SCOPE_PREFIX + "gradebook.createpost"
ASSESSMENT_READ = SCOPE_PREFIX + "assessment.readonly"
ASSESSMENT_WRITE = SCOPE_PREFIX + "assessment.createput"
ASSESSMENT_DELETE = SCOPE_PREFIX + "assessment.delete"
RESOURCE = SCOPE_PREFIX + "resource.readonly"
RESOURCE_CORE = SCOPE_PREFIX + "resource-core.readonly"
ALL_SCOPES = (
    ROSTER,
    ROSTER_CORE,
    ROSTER_DEMOGRAPHICS,
    GRADEBOOK_READ,
    GRADEBOOK_WRITE,
    GRADEBOOK_DELETE,
    GRADEBOOK_CORE,
    GRADEBOOK_POST,
    ASSESSMENT_READ,
    ASSESSMENT_WRITE,
    ASSESSMENT_DELETE,
    RESOURCE,
    RESOURCE_CORE,
)


def demo_credentials(seed: int) -> dict[str, str]:
    digest = hashlib.sha256(f"atrium-oneroster-{seed}".encode()).hexdigest()
    return {"client_id": f"atrium-oneroster-{seed}", "client_secret": digest[:40]}


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    headers = {"Cache-Control": "no-store"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="oneroster"'
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=headers
    )


def _client_auth(request: Request, form: dict[str, str]) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip()).decode()
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
        client_id, _, secret = decoded.partition(":")
        # RFC 6749 2.3.1: both parts are form-urlencoded before being joined.
        return unquote(client_id), unquote(secret)
    return form.get("client_id", ""), form.get("client_secret", "")


async def token_endpoint(request: Request, rt: Runtime) -> JSONResponse:
    form = {k: str(v) for k, v in (await request.form()).items()}
    if form.get("grant_type") != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "only client_credentials is supported")
    client_id, secret = _client_auth(request, form)
    current = rt.ctx.credentials
    if not client_id or client_id != current.get("client_id"):
        return _oauth_error(401, "invalid_client", "unknown client")
    if not secrets.compare_digest(secret, current.get("client_secret", "")):
        return _oauth_error(401, "invalid_client", "client authentication failed")
    requested = form.get("scope", "").split() or list(ALL_SCOPES)
    unknown = [s for s in requested if s not in ALL_SCOPES]
    if unknown:
        return _oauth_error(400, "invalid_scope", f"scope not allowed: {' '.join(unknown)}")
    token = secrets.token_urlsafe(32)
    lifetime = rt.token_lifetime()
    rt.conn().execute(
        "INSERT INTO tokens VALUES (?, ?, ?, ?, ?)",
        (token, client_id, _secret_hash(secret), " ".join(requested), time.time() + lifetime),
    )
    rt.conn().execute("DELETE FROM tokens WHERE expires_at < ?", (time.time() - 3600,))
    return JSONResponse(
        {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": lifetime,
            "scope": " ".join(requested),
        },
        headers={"Cache-Control": "no-store"},
    )


def _unauthorised(description: str) -> ImsxError:
    return ImsxError(
        401,
        "unauthorisedrequest",
        description,
        {"WWW-Authenticate": 'Bearer realm="oneroster", error="invalid_token"'},
    )


def authorize(request: Request, rt: Runtime, any_of: tuple[str, ...]) -> None:
    """401 for a missing/expired/revoked token, 403 when none of ``any_of`` was granted."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        raise _unauthorised("missing bearer token")
    row = (
        rt.conn()
        .execute(
            "SELECT client_id, secret_hash, scopes, expires_at FROM tokens WHERE token = ?",
            (header[7:].strip(),),
        )
        .fetchone()
    )
    if row is None:
        raise _unauthorised("unknown access token")
    client_id, secret_hash, scopes, expires_at = row
    if expires_at < time.time():
        raise _unauthorised("access token expired")
    current = rt.ctx.credentials
    if client_id != current.get("client_id") or secret_hash != _secret_hash(
        current.get("client_secret", "")
    ):
        raise _unauthorised("access token revoked: client credentials were rotated")
    if not set(scopes.split()) & set(any_of):
        raise ImsxError(403, "forbidden", f"token lacks a required scope: {' or '.join(any_of)}")
    wait = rt.take_rate_token()
    if wait:
        raise ImsxError(
            429, "server_busy", "rate limit exceeded", {"Retry-After": f"{max(1, round(wait))}"}
        )


def guard(rt: Runtime, *any_of: str) -> Callable[[Request], None]:
    """A FastAPI dependency enforcing ``authorize`` for one route."""

    def dependency(request: Request) -> None:
        authorize(request, rt, any_of)

    return dependency
