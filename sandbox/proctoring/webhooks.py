"""Signed webhook delivery: ``X-Proctor-Signature: t=<unix>,v1=<hex HMAC-SHA256>``.

The signed string is ``f"{t}.{raw body}"`` and the key is the endpoint's secret, the scheme
Stripe made common (and most proctoring vendors follow), which lets receivers reject replays by
age as well as forgeries.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
import time
from typing import Any

import httpx

from sandbox.proctoring.store import now_iso

SIGNATURE_HEADER = "X-Proctor-Signature"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


async def deliver(
    conn: sqlite3.Connection, event_type: str, obj: dict[str, Any]
) -> list[dict[str, Any]]:
    """POST the event to every endpoint subscribed to it; the outcome of each is recorded."""
    event = {
        "id": f"evt_{secrets.token_hex(8)}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "data": {"object": obj},
    }
    body = json.dumps(event, separators=(",", ":")).encode()
    outcomes = []
    for hook in conn.execute("SELECT * FROM webhooks ORDER BY rowid").fetchall():
        if event_type not in json.loads(hook["events"]) and "*" not in json.loads(hook["events"]):
            continue
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(hook["secret"], int(time.time()), body),
        }
        status, error = None, None
        try:
            async with httpx.AsyncClient(timeout=5.0) as client:
                status = (await client.post(hook["url"], content=body, headers=headers)).status_code
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        conn.execute(
            "INSERT INTO deliveries (webhook_id, event_id, event_type, status_code, error, "
            "delivered_at) VALUES (?, ?, ?, ?, ?, ?)",
            (hook["id"], event["id"], event_type, status, error, now_iso()),
        )
        outcomes.append(
            {
                "webhook_id": hook["id"],
                "event_id": event["id"],
                "status_code": status,
                "error": error,
            }
        )
    return outcomes
