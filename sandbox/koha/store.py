"""Koha's state in SQLite: libraries, categories, patrons, restrictions and OAuth tokens.

A patron is kept as one JSON document of API attributes (so every attribute of the definition
round-trips) plus the unique columns Koha enforces (``cardnumber``, ``userid``).
"""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sandbox.koha.schema import ALL_FIELDS, DEFAULTS

SCHEMA = """
CREATE TABLE IF NOT EXISTS libraries (library_id TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS categories (
    category_id TEXT PRIMARY KEY, description TEXT NOT NULL, enrolment_months INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS patrons (
    patron_id INTEGER PRIMARY KEY AUTOINCREMENT,
    cardnumber TEXT UNIQUE,
    userid TEXT UNIQUE,
    data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS restrictions (
    restriction_id INTEGER PRIMARY KEY AUTOINCREMENT,
    patron_id INTEGER NOT NULL REFERENCES patrons(patron_id) ON DELETE CASCADE,
    type TEXT NOT NULL, comment TEXT, expiration_date TEXT,
    created_date TEXT NOT NULL, updated_date TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    access_token TEXT PRIMARY KEY, client_id TEXT NOT NULL, secret_hash TEXT NOT NULL,
    expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

LIBRARIES = [("CPL", "Centerville Campus Library"), ("MPL", "Midway Learning Commons")]
CATEGORIES = [("ST", "Student", 12), ("S", "Staff", 36), ("PT", "Patron", 12)]
RESTRICTION_TYPES = ["MANUAL", "OVERDUES", "SUSPENSION", "DISCHARGE"]
GIVEN = ["Ada", "Bram", "Chiara", "Dev", "Elif", "Femi", "Grace", "Hiro", "Ines", "Jonas", "Kaia"]
FAMILY = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Silva", "Novak", "Haddad", "Byrne", "Kaur"]
DEMO_PATRONS = {"demo": 45, "small": 12, "large": 600}


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def open_db(conn: sqlite3.Connection, seed: int, size: str) -> None:
    """Create the tables and seed deterministic data the first time only."""
    conn.executescript(SCHEMA)
    conn.execute("PRAGMA foreign_keys=ON")
    if conn.execute("SELECT 1 FROM meta WHERE key='seeded'").fetchone():
        return
    rng = random.Random(seed)
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO libraries VALUES (?, ?)", LIBRARIES)
    conn.executemany("INSERT INTO categories VALUES (?, ?, ?)", CATEGORIES)
    for i in range(DEMO_PATRONS.get(size, 45)):
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        enrolled = date(2024, 8, 20) + timedelta(days=rng.randint(0, 300))
        student = i % 5 != 0
        insert_patron(
            conn,
            {
                "cardnumber": f"S{100000 + i}" if student else f"E{500000 + i}",
                "userid": f"{given}.{family}{i}".lower(),
                "surname": family,
                "firstname": given,
                "email": f"{given}.{family}{i}@example.edu".lower(),
                "library_id": rng.choice(LIBRARIES)[0],
                "category_id": "ST" if student else "S",
                "date_enrolled": enrolled.isoformat(),
            },
        )
    conn.execute("INSERT INTO meta VALUES ('seeded', ?)", (now_iso(),))
    conn.execute("COMMIT")


def to_api(row: sqlite3.Row, restricted: bool) -> dict[str, Any]:
    data = json.loads(row["data"])
    patron = {field: data.get(field, DEFAULTS.get(field)) for field in ALL_FIELDS}
    patron.update(patron_id=row["patron_id"], restricted=restricted, anonymized=False)
    return patron


def enrolment_defaults(conn: sqlite3.Connection, data: dict[str, Any]) -> None:
    """Fill date_enrolled and expiry_date the way Koha does from the category."""
    data.setdefault("date_enrolled", date.today().isoformat())
    if not data.get("expiry_date"):
        months = conn.execute(
            "SELECT enrolment_months FROM categories WHERE category_id=?", (data["category_id"],)
        ).fetchone()
        start = date.fromisoformat(data["date_enrolled"] or date.today().isoformat())
        data["expiry_date"] = (
            start + timedelta(days=round(30.44 * (months[0] if months else 12)))
        ).isoformat()


def insert_patron(conn: sqlite3.Connection, data: dict[str, Any]) -> int:
    enrolment_defaults(conn, data)
    data["updated_on"] = now_iso()
    cur = conn.execute(
        "INSERT INTO patrons (cardnumber, userid, data) VALUES (?, ?, ?)",
        (data.get("cardnumber"), data.get("userid"), json.dumps(data)),
    )
    return int(cur.lastrowid or 0)


def update_patron(conn: sqlite3.Connection, patron_id: int, data: dict[str, Any]) -> None:
    data["updated_on"] = now_iso()
    conn.execute(
        "UPDATE patrons SET cardnumber=?, userid=?, data=? WHERE patron_id=?",
        (data.get("cardnumber"), data.get("userid"), json.dumps(data), patron_id),
    )


def restricted_sql() -> str:
    """SQL true when the patron in ``patrons`` has a restriction in force today."""
    return (
        "EXISTS (SELECT 1 FROM restrictions r WHERE r.patron_id = patrons.patron_id "
        "AND (r.expiration_date IS NULL OR r.expiration_date >= date('now')))"
    )


def duplicate_of(conn: sqlite3.Connection, data: dict[str, Any], patron_id: int = 0) -> str | None:
    """The unique key ``data`` would collide with, as Koha's DuplicateID names it."""
    for key in ("cardnumber", "userid"):
        if (
            data.get(key) is not None
            and conn.execute(
                f"SELECT 1 FROM patrons WHERE {key}=? AND patron_id != ?",  # noqa: S608 - fixed names
                (data[key], patron_id),
            ).fetchone()
        ):
            return key
    return None


def missing_reference(conn: sqlite3.Connection, data: dict[str, Any]) -> str | None:
    if not conn.execute(
        "SELECT 1 FROM libraries WHERE library_id=?", (data["library_id"],)
    ).fetchone():
        return "library_id"
    if not conn.execute(
        "SELECT 1 FROM categories WHERE category_id=?", (data["category_id"],)
    ).fetchone():
        return "category_id"
    return None
