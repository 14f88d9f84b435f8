"""Canvas ids in URLs: a number, ``self``, or ``sis_<kind>_id:<value>`` (SIS ID lookups)."""

from __future__ import annotations

import sqlite3

from sandbox.canvas.errors import not_found

ADMIN_USER_ID = 1  # the owner of the demo token
ROOT_ACCOUNT_ID = 1


def _numeric(ident: str) -> int:
    if not ident.isdigit():
        raise not_found()
    return int(ident)


def _one(conn: sqlite3.Connection, sql: str, value: object) -> int:
    row = conn.execute(sql, (value,)).fetchone()
    if row is None:
        raise not_found()
    return int(row[0])


def user_id(conn: sqlite3.Connection, ident: str) -> int:
    if ident == "self":
        return ADMIN_USER_ID
    kind, sep, value = ident.partition(":")
    if sep:
        column = {
            "sis_user_id": "sis_user_id",
            "sis_integration_id": "integration_id",
            "sis_login_id": "unique_id_lower",
        }.get(kind)
        if column is None:
            raise not_found()
        key = value.lower() if kind == "sis_login_id" else value
        return _one(conn, f"SELECT user_id FROM logins WHERE {column} = ?", key)  # noqa: S608
    return _one(conn, "SELECT id FROM users WHERE id = ?", _numeric(ident))


def account_id(conn: sqlite3.Connection, ident: str) -> int:
    if ident == "self":
        return ROOT_ACCOUNT_ID
    if ident.startswith("sis_account_id:"):
        return _one(
            conn, "SELECT id FROM accounts WHERE sis_account_id = ?", ident.split(":", 1)[1]
        )
    return _one(conn, "SELECT id FROM accounts WHERE id = ?", _numeric(ident))


def course_id(conn: sqlite3.Connection, ident: str) -> int:
    kind, sep, value = ident.partition(":")
    if sep:
        column = {"sis_course_id": "sis_course_id", "sis_integration_id": "integration_id"}.get(
            kind
        )
        if column is None:
            raise not_found()
        return _one(conn, f"SELECT id FROM courses WHERE {column} = ?", value)  # noqa: S608
    return _one(conn, "SELECT id FROM courses WHERE id = ?", _numeric(ident))


def section_id(conn: sqlite3.Connection, ident: str) -> int:
    kind, sep, value = ident.partition(":")
    if sep:
        column = {"sis_section_id": "sis_section_id", "sis_integration_id": "integration_id"}.get(
            kind
        )
        if column is None:
            raise not_found()
        return _one(conn, f"SELECT id FROM sections WHERE {column} = ?", value)  # noqa: S608
    return _one(conn, "SELECT id FROM sections WHERE id = ?", _numeric(ident))


def term_id(conn: sqlite3.Connection, ident: str) -> int:
    if ident.startswith("sis_term_id:"):
        return _one(conn, "SELECT id FROM terms WHERE sis_term_id = ?", ident.split(":", 1)[1])
    return _one(conn, "SELECT id FROM terms WHERE id = ?", _numeric(ident))
