"""Communications emulator: a real SMTP server (``sandbox/comms/smtp.py``) and Slack / Teams
incoming webhooks (``sandbox/comms/chat.py``), everything received kept in SQLite and browsable:

- ``GET /_control/mail[?to=addr]`` -> messages (newest first, without the raw source);
- ``GET /_control/mail/{id}`` -> one message with its raw RFC 5322 source;
- ``GET /_control/chat[?kind=slack|teams]`` -> chat posts with their JSON payloads.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException

from sandbox.comms.chat import register_chat_routes
from sandbox.comms.store import chat_json, demo_credentials, mail_json, open_db
from sandbox.context import SystemContext
from sandbox.throttle import Throttle


def create_app(ctx: SystemContext) -> FastAPI:
    ctx.credentials.update(demo_credentials(ctx.seed))
    conn = ctx.connect()
    open_db(conn)
    app = FastAPI(title="Communications (sandbox)", docs_url=None, openapi_url=None)
    throttle = Throttle()
    register_chat_routes(
        app, ctx, conn, lambda: throttle.retry_after(ctx.faults.rate_limit_per_second)
    )

    @app.get("/_control/mail")
    async def list_mail(to: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        rows = conn.execute("SELECT * FROM mail ORDER BY id DESC").fetchall()
        found = [mail_json(r) for r in rows]
        if to:
            found = [m for m in found if to.lower() in (r.lower() for r in m["rcpt_tos"])]
        return found[:limit]

    @app.get("/_control/mail/{mail_id}")
    async def get_mail(mail_id: int) -> dict[str, Any]:
        row = conn.execute("SELECT * FROM mail WHERE id=?", (mail_id,)).fetchone()
        if row is None:
            raise HTTPException(404, f"no mail {mail_id}")
        return mail_json(row, with_raw=True)

    @app.get("/_control/chat")
    async def list_chat(kind: str | None = None) -> list[dict[str, Any]]:
        rows = conn.execute(
            "SELECT * FROM chat WHERE (? IS NULL OR kind=?) ORDER BY id DESC", (kind, kind)
        ).fetchall()
        return [chat_json(r) for r in rows]

    return app
