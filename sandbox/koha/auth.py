"""Koha's OAuth2 client-credentials grant (``POST /api/v1/oauth/token``) and bearer checks.

Tokens are bound to the API key that issued them: rotating the key (``PUT
/_control/credentials/koha``) is Koha's "revoke the API key", after which its tokens answer 401.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import time

from fastapi import Request
from fastapi.responses import JSONResponse

from sandbox.context import SystemContext

TOKEN_LIFETIME = 3600


def demo_credentials(seed: int) -> dict[str, str]:
    digest = hashlib.sha256(f"koha-client-secret-{seed}".encode()).hexdigest()
    return {"client_id": f"atrium-koha-{seed}", "client_secret": digest[:32]}


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def issue_token(
    ctx: SystemContext, conn: sqlite3.Connection, request: Request
) -> JSONResponse:
    form = await request.form()
    grant_type = str(form.get("grant_type", ""))
    if grant_type != "client_credentials":
        return JSONResponse({"error": "Unimplemented grant type"}, status_code=400)
    client_id, client_secret = str(form.get("client_id", "")), str(form.get("client_secret", ""))
    if not client_id or not client_secret:
        errors = [
            {"message": "Missing property.", "path": f"/formData/{name}"}
            for name, value in (("client_id", client_id), ("client_secret", client_secret))
            if not value
        ]
        return JSONResponse({"errors": errors, "status": 400}, status_code=400)
    current = ctx.credentials
    valid = hmac.compare_digest(client_id, current.get("client_id", "")) and hmac.compare_digest(
        client_secret, current.get("client_secret", "")
    )
    if not valid:
        return JSONResponse({"error": "unauthorized_client"}, status_code=403)
    token = secrets.token_hex(20)
    conn.execute(
        "INSERT INTO tokens VALUES (?, ?, ?, ?)",
        (token, client_id, _secret_hash(client_secret), time.time() + TOKEN_LIFETIME),
    )
    return JSONResponse(
        {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME}
    )


def authentication_failure(
    ctx: SystemContext, conn: sqlite3.Connection, request: Request
) -> JSONResponse | None:
    """None when the bearer token is valid for the current API key, else Koha's 401."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token:
        row = conn.execute(
            "SELECT client_id, secret_hash, expires_at FROM tokens WHERE access_token=?",
            (token.strip(),),
        ).fetchone()
        current = ctx.credentials
        if (
            row is not None
            and row["expires_at"] > time.time()
            and row["client_id"] == current.get("client_id")
            and row["secret_hash"] == _secret_hash(current.get("client_secret", ""))
        ):
            return None
    return JSONResponse({"error": "Authentication failure."}, status_code=401)
