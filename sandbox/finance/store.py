"""The bursar's state in SQLite, and the nightly batch folder served over SFTP."""

from __future__ import annotations

import hashlib
import random
import sqlite3
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sandbox.context import SystemContext

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    student_id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT, status TEXT NOT NULL,
    balance TEXT NOT NULL, currency TEXT NOT NULL, created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS holds (
    hold_id TEXT PRIMARY KEY, student_id TEXT NOT NULL REFERENCES accounts(student_id),
    hold_type TEXT NOT NULL, reason TEXT, status TEXT NOT NULL, placed_at TEXT NOT NULL,
    lifted_at TEXT);
CREATE TABLE IF NOT EXISTS charges (
    charge_id TEXT PRIMARY KEY, student_id TEXT NOT NULL REFERENCES accounts(student_id),
    amount TEXT NOT NULL, description TEXT NOT NULL, due_date TEXT, posted_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, status INTEGER NOT NULL,
    body TEXT NOT NULL, location TEXT);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
GIVEN = ["Ada", "Bram", "Chiara", "Dev", "Elif", "Femi", "Grace", "Hiro", "Ines", "Jonas", "Kaia"]
FAMILY = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Silva", "Novak", "Haddad", "Byrne", "Kaur"]
ACCOUNTS = {"demo": 45, "small": 12, "large": 600}
BATCH_HEADER = "student_id,hold_type,action,reason,effective_at\n"


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def demo_credentials(seed: int) -> dict[str, str]:
    def digest(label: str) -> str:
        return hashlib.sha256(f"finance-{label}-{seed}".encode()).hexdigest()

    return {
        "api_key": f"bursar_{digest('api')[:40]}",
        "sftp_username": "atrium",
        "sftp_password": digest("sftp")[:24],
    }


def sftp_root(ctx: SystemContext) -> Path:
    root = ctx.data_dir / "finance-sftp"
    for folder in ("outbox", "inbox", "processed"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    return root


def student_ids(size: str) -> list[str]:
    # Same numbers as the Koha emulator's student cardnumbers, so a hold can follow a student.
    return [f"S{100000 + i}" for i in range(ACCOUNTS.get(size, 45)) if i % 5 != 0]


def open_db(conn: sqlite3.Connection, ctx: SystemContext) -> None:
    conn.executescript(SCHEMA)
    if conn.execute("SELECT 1 FROM meta WHERE key='seeded'").fetchone():
        return
    rng = random.Random(ctx.seed)
    stamp = now_iso()
    conn.execute("BEGIN")
    ids = student_ids(ctx.size)
    for student_id in ids:
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        balance = Decimal(rng.choice([0, 0, 0, 125, 980, 2450])) + Decimal(rng.randint(0, 99)) / 100
        conn.execute(
            "INSERT INTO accounts VALUES (?, ?, ?, 'active', ?, 'USD', ?, ?)",
            (
                student_id,
                f"{given} {family}",
                f"{given}.{family}@example.edu".lower(),
                str(balance),
                stamp,
                stamp,
            ),
        )
    conn.execute("INSERT INTO meta VALUES ('seeded', ?)", (stamp,))
    conn.execute("COMMIT")
    seed_batches(ctx, ids)


def seed_batches(ctx: SystemContext, ids: list[str]) -> None:
    """Two nightly files: one clean, one with lines a careful reader must reject."""
    outbox = sftp_root(ctx) / "outbox"
    clean = "".join(
        f"{sid},registration,place,Unpaid balance,2025-09-01T02:00:00Z\n" for sid in ids[:3]
    )
    (outbox / "holds-20250901.csv").write_text(BATCH_HEADER + clean)
    mixed = (
        f"{ids[0]},registration,lift,Balance paid,2025-09-02T02:00:00Z\n"
        f"{ids[3]},transcript,suspend,Unknown action,2025-09-02T02:00:00Z\n"
        f"{ids[4]},library,place,Lost items,yesterday\n"
        f'{ids[5]},library,place,"Lost items, two books",2025-09-02T02:00:00+02:00\n'
    )
    (outbox / "holds-20250902.csv").write_text(BATCH_HEADER + mixed)


def account_row(row: sqlite3.Row) -> dict[str, Any]:
    return {key: row[key] for key in row.keys()}  # noqa: SIM118 - sqlite3.Row
