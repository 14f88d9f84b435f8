"""The communications emulator's SQLite: received mail and chat webhook posts."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS mail (
    id INTEGER PRIMARY KEY AUTOINCREMENT, received_at TEXT NOT NULL, mail_from TEXT NOT NULL,
    rcpt_tos TEXT NOT NULL, subject TEXT, message_id TEXT, raw TEXT NOT NULL,
    authenticated_as TEXT, tls INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS chat (
    id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, hook TEXT NOT NULL,
    payload TEXT NOT NULL, received_at TEXT NOT NULL);
"""


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def demo_credentials(seed: int) -> dict[str, str]:
    def digest(label: str) -> str:
        return hashlib.sha256(f"comms-{label}-{seed}".encode()).hexdigest()

    return {
        "smtp_username": "atrium-notify",
        "smtp_password": digest("smtp")[:24],
        # Incoming-webhook URLs are themselves the secret, as in Slack and Teams.
        "slack_webhook_path": f"/services/T0ATRIUM/B0NOTIFY/{digest('slack')[:24]}",
        "teams_webhook_path": f"/webhookb2/{digest('teams-g')[:8]}@{digest('teams-t')[:8]}"
        f"/IncomingWebhook/{digest('teams')[:32]}/{digest('teams-o')[:8]}",
    }


def open_db(conn: sqlite3.Connection) -> None:
    conn.executescript(SCHEMA)


def mail_json(row: sqlite3.Row, *, with_raw: bool = False) -> dict[str, Any]:
    data = {k: row[k] for k in row.keys() if k != "raw"}  # noqa: SIM118
    data["rcpt_tos"] = json.loads(row["rcpt_tos"])
    data["tls"] = bool(row["tls"])
    if with_raw:
        data["raw"] = row["raw"]
    return data


def chat_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "hook": row["hook"],
        "payload": json.loads(row["payload"]),
        "received_at": row["received_at"],
    }
