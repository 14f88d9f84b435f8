"""Bursar / student-finance emulator: a REST API plus a nightly SFTP batch.

There is no single standard for bursar systems, so this models what their REST APIs commonly
share (Stripe-style idempotency, RFC 9457 errors, cursor pages):

- Auth: ``Authorization: Bearer <api_key>``; otherwise 401 problem with ``WWW-Authenticate``.
- ``GET /api/accounts?limit=&cursor=`` -> ``{"data": [account], "next_cursor": str | null}``.
- ``GET /api/accounts/{student_id}`` -> ``{student_id, name, email, status, balance, currency,
  created_at, updated_at}``; ``balance`` is a decimal string ("1250.00"), never a float.
- ``POST /api/accounts`` ``{student_id, name, email?}`` -> 201 + ``Location``; 409 when the
  student already has an account.
- ``PATCH /api/accounts/{student_id}`` ``{name?, email?}`` (a JSON merge patch, RFC 7396: a
  field left out stays, ``email: null`` clears it) -> 200 with the account; the balance, holds
  and charges are the ledger and no request changes them but a charge.
- ``GET /api/accounts/{id}/holds?status=active|lifted&limit=&cursor=``,
  ``POST /api/accounts/{id}/holds`` ``{hold_type, reason?}`` -> 201,
  ``DELETE /api/accounts/{id}/holds/{hold_id}`` -> 204 (again 204 if already lifted).
- ``POST /api/accounts/{id}/charges`` ``{amount: "12.50", description, due_date?}`` -> 201,
  adds to the balance.
- Every POST honours ``Idempotency-Key``: the same key with the same body replays the first
  2xx answer (header ``Idempotency-Replayed: true``); with another body it is a 422.
- Errors are ``application/problem+json`` (RFC 9457): ``type, title, status, detail, instance``;
  422 adds ``errors: [{pointer, detail}]``. 429 carries ``Retry-After``.

The SFTP side lives in ``sandbox/finance/sftp.py`` (``start_sftp_server``).
"""

from __future__ import annotations

import hmac
import random
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from pydantic import BaseModel

from sandbox.context import SystemContext
from sandbox.finance.api import register_routes
from sandbox.finance.problems import problem
from sandbox.finance.sftp import host_public_key
from sandbox.finance.store import BATCH_HEADER, demo_credentials, open_db, sftp_root
from sandbox.throttle import Throttle


class BatchFile(BaseModel):
    """A file the bursar "writes" into the SFTP outbox (control route, for tests and demos)."""

    name: str
    content: str


def create_app(ctx: SystemContext) -> FastAPI:
    ctx.credentials.update(demo_credentials(ctx.seed))
    conn = ctx.connect()
    open_db(conn, ctx)
    app = FastAPI(title="Bursar API (sandbox)", docs_url=None, openapi_url=None)
    throttle, rng = Throttle(), random.Random()

    @app.middleware("http")
    async def guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if "/_control/" in request.url.path:
            return await call_next(request)
        wait = throttle.retry_after(ctx.faults.rate_limit_per_second)
        if wait is not None:
            return problem(
                429,
                "rate-limited",
                "Request rate exceeded.",
                headers={"Retry-After": str(max(1, round(wait)))},
            )
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            key.strip(), ctx.credentials["api_key"]
        ):
            return problem(
                401,
                "unauthorized",
                "A valid API key is required.",
                headers={"WWW-Authenticate": 'Bearer realm="bursar"'},
            )
        return await call_next(request)

    def corrupt(record: dict[str, Any]) -> dict[str, Any]:
        """The ``malformed_rate`` fault: a balance that is not a number."""
        if ctx.faults.malformed_rate and rng.random() < ctx.faults.malformed_rate:
            return {**record, "balance": "N/A"}
        return record

    register_routes(app, conn, corrupt)

    @app.get("/_control/sftp/host-key")
    async def sftp_host_key() -> dict[str, str]:
        return {"host_key": host_public_key(ctx)}

    @app.put("/_control/batches")
    async def write_batch(batch: BatchFile) -> dict[str, str]:
        if "/" in batch.name or not batch.name.endswith(".csv"):
            return {"error": "name must be a plain *.csv file name"}
        path = sftp_root(ctx) / "outbox" / batch.name
        path.write_text(batch.content)
        return {"path": f"outbox/{batch.name}", "header": BATCH_HEADER.strip()}

    return app
