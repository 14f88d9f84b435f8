"""Online-proctoring platform emulator, modelled on what Honorlock, Proctorio, ProctorU and
Examity integrations have in common (each vendor's API is private; none is a standard):

- Auth: ``Authorization: Bearer <api_key>``.
- ``POST /v1/exams`` ``{external_id, title, course_external_id?, duration_minutes, opens_at?,
  closes_at?}`` -> 201 exam, or 200 with the existing exam for a known ``external_id`` (the LMS
  assignment id), so creating is idempotent. ``GET /v1/exams[?external_id=]``, ``GET
  /v1/exams/{id}``.
- ``POST /v1/exams/{id}/sessions`` ``{external_student_id, student_name?, student_email?,
  scheduled_at?}`` -> 201 session, or 200 with the existing one for that student.
  ``GET /v1/exams/{id}/sessions``, ``GET /v1/sessions/{id}``; a completed session has
  ``result: {score, integrity_flags: [{type, severity, at_seconds, detail}], flag_count,
  review_status}``.
- ``POST /v1/webhooks`` ``{url, events: ["session.completed"]}`` -> 201 with the signing
  ``secret`` (shown once); ``GET``/``DELETE``. Deliveries are signed, see ``webhooks.py``.
- Lists: ``{"object": "list", "data": [...], "has_more": bool}`` with ``limit`` and
  ``starting_after``. Errors: ``{"error": {"type", "code", "message", "param"}}``; 429 carries
  ``Retry-After``.
- Control: ``POST /_control/sessions/{id}/complete`` ``{score, flags}`` finishes a session and
  delivers ``session.completed`` to subscribers; ``GET /_control/deliveries`` shows outcomes.
"""

from __future__ import annotations

import hmac
import random
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from sandbox.context import SystemContext
from sandbox.proctoring.api import error, register_routes
from sandbox.proctoring.store import demo_credentials, open_db
from sandbox.throttle import Throttle


def create_app(ctx: SystemContext) -> FastAPI:
    ctx.credentials.update(demo_credentials(ctx.seed))
    conn = ctx.connect()
    open_db(conn)
    app = FastAPI(title="Proctoring API (sandbox)", docs_url=None, openapi_url=None)
    throttle, rng = Throttle(), random.Random()

    @app.middleware("http")
    async def guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if "/_control/" in request.url.path:
            return await call_next(request)
        wait = throttle.retry_after(ctx.faults.rate_limit_per_second)
        if wait is not None:
            response: Response = error(
                429, "rate_limit_error", "rate_limited", "Too many requests."
            )
            response.headers["Retry-After"] = str(max(1, round(wait)))
            return response
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            key.strip(), ctx.credentials["api_key"]
        ):
            return error(
                401, "authentication_error", "invalid_api_key", "Invalid API key provided."
            )
        response = await call_next(request)
        if ctx.faults.malformed_rate and rng.random() < ctx.faults.malformed_rate:
            # A truncated body, as a proxy cutting the answer short would leave it.
            return Response(
                b'{"object": "session", "id": ',
                status_code=response.status_code,
                media_type="application/json",
            )
        return response

    register_routes(app, conn)
    return app
