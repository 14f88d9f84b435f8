"""Proctoring REST routes (``/v1``) and the control route that finishes a session."""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, ValidationError

from sandbox.proctoring.store import exam_json, now_iso, session_json, webhook_json
from sandbox.proctoring.webhooks import deliver

EVENTS = {"session.completed", "session.flagged", "*"}


def error(
    status: int, kind: str, code: str, message: str, param: str | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"type": kind, "code": code, "message": message, "param": param}},
        status_code=status,
    )


def missing(what: str, ident: str) -> JSONResponse:
    return error(404, "invalid_request_error", "resource_missing", f"No such {what}: '{ident}'")


class ExamIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    external_id: str = Field(min_length=1, max_length=128)
    title: str = Field(min_length=1)
    course_external_id: str | None = None
    duration_minutes: int = Field(gt=0, le=600)
    opens_at: datetime | None = None
    closes_at: datetime | None = None


class SessionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    external_student_id: str = Field(min_length=1)
    student_name: str | None = None
    student_email: str | None = None
    scheduled_at: datetime | None = None


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: AnyHttpUrl
    events: list[str] = Field(min_length=1)


class Flag(BaseModel):
    type: str
    severity: Literal["low", "medium", "high"]
    at_seconds: int = Field(ge=0)
    detail: str | None = None


class Completion(BaseModel):
    score: float = Field(ge=0, le=100)
    flags: list[Flag] = Field(default_factory=list)


async def parse(model: type[BaseModel], request: Request) -> Any:
    try:
        return model.model_validate_json(await request.body() or b"null")
    except ValidationError as exc:
        first = exc.errors()[0]
        param = ".".join(str(p) for p in first["loc"]) or None
        return error(400, "invalid_request_error", "parameter_invalid", first["msg"], param)


def page(
    request: Request, rows: list[sqlite3.Row], render: Callable[[sqlite3.Row], dict[str, Any]]
) -> JSONResponse:
    """Stripe-style list: ``limit`` and ``starting_after`` over ids in creation order."""
    limit = min(max(int(request.query_params.get("limit", "10") or 10), 1), 100)
    after = request.query_params.get("starting_after")
    ids = [r["id"] for r in rows]
    start = ids.index(after) + 1 if after in ids else 0
    chunk = rows[start : start + limit]
    return JSONResponse(
        {
            "object": "list",
            "data": [render(r) for r in chunk],
            "has_more": start + limit < len(rows),
        }
    )


def register_routes(app: FastAPI, conn: sqlite3.Connection) -> None:
    def one(sql: str, *args: Any) -> sqlite3.Row | None:
        row: sqlite3.Row | None = conn.execute(sql, args).fetchone()
        return row

    def stored(sql: str, *args: Any) -> sqlite3.Row:
        """A row this request just wrote, so it is there."""
        row = one(sql, *args)
        assert row is not None
        return row

    @app.post("/v1/exams")
    async def create_exam(request: Request) -> Response:
        body = await parse(ExamIn, request)
        if isinstance(body, JSONResponse):
            return body
        existing = one("SELECT * FROM exams WHERE external_id=?", body.external_id)
        if existing:  # idempotent by the LMS assignment id
            return JSONResponse(exam_json(existing))
        exam_id = f"exm_{secrets.token_hex(8)}"
        conn.execute(
            "INSERT INTO exams VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                exam_id,
                body.external_id,
                body.title,
                body.course_external_id,
                body.duration_minutes,
                body.opens_at and body.opens_at.isoformat(),
                body.closes_at and body.closes_at.isoformat(),
                now_iso(),
            ),
        )
        return JSONResponse(
            exam_json(stored("SELECT * FROM exams WHERE id=?", exam_id)), status_code=201
        )

    @app.get("/v1/exams")
    async def list_exams(request: Request) -> Response:
        external = request.query_params.get("external_id")
        rows = conn.execute(
            "SELECT * FROM exams WHERE (? IS NULL OR external_id=?) ORDER BY rowid",
            (external, external),
        ).fetchall()
        return page(request, rows, exam_json)

    @app.get("/v1/exams/{exam_id}")
    async def get_exam(exam_id: str) -> Response:
        row = one("SELECT * FROM exams WHERE id=?", exam_id)
        return JSONResponse(exam_json(row)) if row else missing("exam", exam_id)

    @app.post("/v1/exams/{exam_id}/sessions")
    async def schedule(exam_id: str, request: Request) -> Response:
        if not one("SELECT 1 FROM exams WHERE id=?", exam_id):
            return missing("exam", exam_id)
        body = await parse(SessionIn, request)
        if isinstance(body, JSONResponse):
            return body
        existing = one(
            "SELECT * FROM sessions WHERE exam_id=? AND external_student_id=?",
            exam_id,
            body.external_student_id,
        )
        if existing:
            return JSONResponse(session_json(existing))
        session_id = f"ses_{secrets.token_hex(8)}"
        conn.execute(
            "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, 'scheduled', ?, NULL, NULL, ?)",
            (
                session_id,
                exam_id,
                body.external_student_id,
                body.student_name,
                body.student_email,
                body.scheduled_at and body.scheduled_at.isoformat(),
                now_iso(),
            ),
        )
        return JSONResponse(
            session_json(stored("SELECT * FROM sessions WHERE id=?", session_id)), status_code=201
        )

    @app.get("/v1/exams/{exam_id}/sessions")
    async def list_sessions(exam_id: str, request: Request) -> Response:
        if not one("SELECT 1 FROM exams WHERE id=?", exam_id):
            return missing("exam", exam_id)
        rows = conn.execute(
            "SELECT * FROM sessions WHERE exam_id=? ORDER BY rowid", (exam_id,)
        ).fetchall()
        return page(request, rows, session_json)

    @app.get("/v1/sessions/{session_id}")
    async def get_session(session_id: str) -> Response:
        row = one("SELECT * FROM sessions WHERE id=?", session_id)
        return JSONResponse(session_json(row)) if row else missing("session", session_id)

    @app.post("/v1/webhooks")
    async def subscribe(request: Request) -> Response:
        body = await parse(WebhookIn, request)
        if isinstance(body, JSONResponse):
            return body
        unknown = sorted(set(body.events) - EVENTS)
        if unknown:
            return error(
                400,
                "invalid_request_error",
                "parameter_invalid",
                f"Unknown events: {unknown}",
                "events",
            )
        hook_id, secret = f"we_{secrets.token_hex(8)}", f"whsec_{secrets.token_hex(24)}"
        conn.execute(
            "INSERT INTO webhooks VALUES (?, ?, ?, ?, ?)",
            (hook_id, str(body.url), json.dumps(body.events), secret, now_iso()),
        )
        row = stored("SELECT * FROM webhooks WHERE id=?", hook_id)
        return JSONResponse(webhook_json(row, with_secret=True), status_code=201)

    @app.get("/v1/webhooks")
    async def list_webhooks(request: Request) -> Response:
        return page(
            request, conn.execute("SELECT * FROM webhooks ORDER BY rowid").fetchall(), webhook_json
        )

    @app.delete("/v1/webhooks/{hook_id}")
    async def unsubscribe(hook_id: str) -> Response:
        if not conn.execute("DELETE FROM webhooks WHERE id=?", (hook_id,)).rowcount:
            return missing("webhook_endpoint", hook_id)
        return Response(status_code=204)

    @app.post("/_control/sessions/{session_id}/complete")
    async def complete(session_id: str, request: Request) -> Response:
        """What a proctor's review does: a result with integrity flags, then the webhook."""
        if not one("SELECT 1 FROM sessions WHERE id=?", session_id):
            return missing("session", session_id)
        body = await parse(Completion, request)
        if isinstance(body, JSONResponse):
            return body
        flags = [f.model_dump() for f in body.flags]
        result = {
            "score": body.score,
            "integrity_flags": flags,
            "flag_count": len(flags),
            "review_status": "flagged" if any(f["severity"] == "high" for f in flags) else "clear",
        }
        conn.execute(
            "UPDATE sessions SET status='completed', completed_at=?, result=? WHERE id=?",
            (now_iso(), json.dumps(result), session_id),
        )
        session = session_json(stored("SELECT * FROM sessions WHERE id=?", session_id))
        return JSONResponse(
            {"session": session, "deliveries": await deliver(conn, "session.completed", session)}
        )

    @app.get("/_control/deliveries")
    async def deliveries() -> list[dict[str, Any]]:
        return [dict(r) for r in conn.execute("SELECT * FROM deliveries ORDER BY id").fetchall()]
