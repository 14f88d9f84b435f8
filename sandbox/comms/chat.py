"""Chat incoming webhooks as Slack and Microsoft Teams answer them.

Slack (``POST /slack/services/T…/B…/…``, docs "Sending messages using incoming webhooks"):
200 ``ok``; 400 ``invalid_payload`` (not JSON) or ``no_text`` (neither text nor blocks);
404 ``no_service`` (unknown or revoked URL); 429 with ``Retry-After`` past the rate limit; the
bodies are ``text/plain``. Teams (``POST /teams/webhookb2/…``, Office 365 connector webhook):
200 ``1`` for a MessageCard with ``text`` or ``summary`` or a ``message`` with an Adaptive Card
attachment; 400 ``Summary or Text is required.`` / ``Bad payload received by generic incoming
webhook.``; 404 for an unknown URL; 429 with ``Retry-After``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

from sandbox.comms.store import now_iso
from sandbox.context import SystemContext

ADAPTIVE = "application/vnd.microsoft.card.adaptive"


async def _payload(request: Request) -> Any:
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raw = parse_qs(raw.decode()).get("payload", [""])[0].encode()  # Slack's legacy form post
    return json.loads(raw)


def _teams_error(payload: Any) -> str | None:
    if not isinstance(payload, dict):
        return "Bad payload received by generic incoming webhook."
    if payload.get("type") == "message":
        attachments = payload.get("attachments")
        if (
            isinstance(attachments, list)
            and attachments
            and all(
                isinstance(a, dict)
                and a.get("contentType") == ADAPTIVE
                and isinstance(a.get("content"), dict)
                for a in attachments
            )
        ):
            return None
        return "Bad payload received by generic incoming webhook."
    if not payload.get("text") and not payload.get("summary"):
        return "Summary or Text is required."
    return None


def register_chat_routes(
    app: FastAPI,
    ctx: SystemContext,
    conn: sqlite3.Connection,
    rate_limited: Callable[[], float | None],
) -> None:
    def store(kind: str, hook: str, payload: Any) -> None:
        conn.execute(
            "INSERT INTO chat (kind, hook, payload, received_at) VALUES (?, ?, ?, ?)",
            (kind, hook, json.dumps(payload), now_iso()),
        )

    def too_many(body: str) -> PlainTextResponse | None:
        wait = rate_limited()
        if wait is None:
            return None
        return PlainTextResponse(
            body, status_code=429, headers={"Retry-After": str(max(1, round(wait)))}
        )

    @app.post("/slack/services/{team}/{bot}/{token}")
    async def slack(team: str, bot: str, token: str, request: Request) -> PlainTextResponse:
        hook = f"/services/{team}/{bot}/{token}"
        if hook != ctx.credentials.get("slack_webhook_path"):
            return PlainTextResponse("no_service", status_code=404)
        limited = too_many("rate_limited")
        if limited:
            return limited
        try:
            payload = await _payload(request)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return PlainTextResponse("invalid_payload", status_code=400)
        if not isinstance(payload, dict):
            return PlainTextResponse("invalid_payload", status_code=400)
        if not payload.get("text") and not payload.get("blocks"):
            return PlainTextResponse("no_text", status_code=400)
        store("slack", hook, payload)
        return PlainTextResponse("ok")

    @app.post("/teams/webhookb2/{rest:path}")
    async def teams(rest: str, request: Request) -> PlainTextResponse:
        hook = f"/webhookb2/{rest}"
        if hook != ctx.credentials.get("teams_webhook_path"):
            return PlainTextResponse("Webhook not found.", status_code=404)
        limited = too_many("Too many requests.")
        if limited:
            return limited
        try:
            payload = await _payload(request)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return PlainTextResponse(
                "Bad payload received by generic incoming webhook.", status_code=400
            )
        problem = _teams_error(payload)
        if problem:
            return PlainTextResponse(problem, status_code=400)
        store("teams", hook, payload)
        return PlainTextResponse("1")
