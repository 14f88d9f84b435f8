"""Proctoring platform state in SQLite: exams, sessions, webhook subscriptions, deliveries."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS exams (
    id TEXT PRIMARY KEY, external_id TEXT NOT NULL UNIQUE, title TEXT NOT NULL,
    course_external_id TEXT, duration_minutes INTEGER NOT NULL, opens_at TEXT, closes_at TEXT,
    created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, exam_id TEXT NOT NULL REFERENCES exams(id),
    external_student_id TEXT NOT NULL, student_name TEXT, student_email TEXT,
    status TEXT NOT NULL, scheduled_at TEXT, completed_at TEXT, result TEXT,
    created_at TEXT NOT NULL, UNIQUE (exam_id, external_student_id));
CREATE TABLE IF NOT EXISTS webhooks (
    id TEXT PRIMARY KEY, url TEXT NOT NULL, events TEXT NOT NULL, secret TEXT NOT NULL,
    created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT, webhook_id TEXT NOT NULL, event_id TEXT NOT NULL,
    event_type TEXT NOT NULL, status_code INTEGER, error TEXT, delivered_at TEXT NOT NULL);
"""


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def demo_credentials(seed: int) -> dict[str, str]:
    return {"api_key": "pk_live_" + hashlib.sha256(f"proctoring-{seed}".encode()).hexdigest()[:40]}


def open_db(conn: sqlite3.Connection) -> None:
    conn.executescript(SCHEMA)  # nothing to seed: exams arrive from the LMS through Atrium


def exam_json(row: sqlite3.Row) -> dict[str, Any]:
    return {"object": "exam", **{k: row[k] for k in row.keys()}}  # noqa: SIM118


def session_json(row: sqlite3.Row) -> dict[str, Any]:
    data = {"object": "session", **{k: row[k] for k in row.keys()}}  # noqa: SIM118
    data["result"] = json.loads(row["result"]) if row["result"] else None
    return data


def webhook_json(row: sqlite3.Row, *, with_secret: bool = False) -> dict[str, Any]:
    data = {
        "object": "webhook_endpoint",
        "id": row["id"],
        "url": row["url"],
        "events": json.loads(row["events"]),
        "created_at": row["created_at"],
    }
    if with_secret:  # like most vendors, the secret is shown once, at creation
        data["secret"] = row["secret"]
    return data
