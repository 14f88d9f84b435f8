"""Sections: ``/api/v1/courses/:id/sections`` and ``/api/v1/sections/:id``."""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sandbox.canvas import lookups, render
from sandbox.canvas.db import now_iso
from sandbox.canvas.errors import field_errors, not_found
from sandbox.canvas.pagination import paginated
from sandbox.canvas.params import Params, as_str, section
from sandbox.canvas.state import State

router = APIRouter(prefix="/api/v1")


def load_section(conn: sqlite3.Connection, section_id: int) -> dict[str, Any]:
    sql = f"SELECT {render.SECTION_COLUMNS} FROM {render.SECTIONS_FROM} WHERE s.id = ?"  # noqa: S608
    return render.section(conn.execute(sql, (section_id,)).fetchone())


def default_section(conn: sqlite3.Connection, course_id: int) -> int:
    """The course's default section, created on first need as Canvas does."""
    row = conn.execute(
        "SELECT id FROM sections WHERE course_id = ? AND default_section = 1", (course_id,)
    ).fetchone()
    if row:
        return int(row[0])
    name = conn.execute("SELECT name FROM courses WHERE id = ?", (course_id,)).fetchone()[0]
    cursor = conn.execute(
        "INSERT INTO sections (course_id, name, default_section, created_at) VALUES (?, ?, 1, ?)",
        (course_id, name, now_iso()),
    )
    return int(cursor.lastrowid or 0)


@router.post("/courses/{course}/sections")
def create_section(course: str, params: Params, state: State) -> dict[str, Any]:
    conn = state.db.conn()
    course_id = lookups.course_id(conn, course)
    fields = section(params, "course_section")
    sis_id = as_str(fields.get("sis_section_id"))
    if (
        sis_id
        and conn.execute("SELECT 1 FROM sections WHERE sis_section_id = ?", (sis_id,)).fetchone()
    ):
        raise field_errors(
            400, {"sis_source_id": [("taken", f'SIS ID "{sis_id}" is already in use')]}
        )
    cursor = conn.execute(
        "INSERT INTO sections (course_id, name, sis_section_id, integration_id, start_at, end_at,"
        " created_at) VALUES (?,?,?,?,?,?,?)",
        (
            course_id,
            as_str(fields.get("name")) or "Section",
            sis_id,
            as_str(fields.get("integration_id")),
            as_str(fields.get("start_at")),
            as_str(fields.get("end_at")),
            now_iso(),
        ),
    )
    return load_section(conn, int(cursor.lastrowid or 0))


@router.get("/courses/{course}/sections")
def list_sections(course: str, request: Request, state: State) -> JSONResponse:
    conn = state.db.conn()
    course_id = lookups.course_id(conn, course)
    return paginated(
        request,
        state.ctx,
        conn,
        select=render.SECTION_COLUMNS,
        from_where=f"{render.SECTIONS_FROM} WHERE s.course_id = ?"
        " AND s.workflow_state != 'deleted'",
        args=[course_id],
        order_by="s.id",
        render=render.section,
    )


@router.get("/courses/{course}/sections/{section_ident}")
def get_course_section(course: str, section_ident: str, state: State) -> dict[str, Any]:
    conn = state.db.conn()
    course_id = lookups.course_id(conn, course)
    found = load_section(conn, lookups.section_id(conn, section_ident))
    if found["course_id"] != course_id:
        raise not_found()
    return found


@router.get("/sections/{section_ident}")
def get_section(section_ident: str, state: State) -> dict[str, Any]:
    conn = state.db.conn()
    return load_section(conn, lookups.section_id(conn, section_ident))


@router.put("/sections/{section_ident}")
def update_section(section_ident: str, params: Params, state: State) -> dict[str, Any]:
    conn = state.db.conn()
    section_id = lookups.section_id(conn, section_ident)
    row = conn.execute("SELECT * FROM sections WHERE id = ?", (section_id,)).fetchone()
    fields = section(params, "course_section")
    conn.execute(
        "UPDATE sections SET name = ?, sis_section_id = ?, integration_id = ?, start_at = ?,"
        " end_at = ? WHERE id = ?",
        (
            as_str(fields.get("name")) or row["name"],
            as_str(fields.get("sis_section_id")) or row["sis_section_id"],
            as_str(fields.get("integration_id")) or row["integration_id"],
            as_str(fields.get("start_at")) or row["start_at"],
            as_str(fields.get("end_at")) or row["end_at"],
            section_id,
        ),
    )
    return load_section(conn, section_id)


@router.delete("/sections/{section_ident}")
def delete_section(section_ident: str, state: State) -> dict[str, Any]:
    conn = state.db.conn()
    section_id = lookups.section_id(conn, section_ident)
    found = load_section(conn, section_id)
    conn.execute("UPDATE sections SET workflow_state = 'deleted' WHERE id = ?", (section_id,))
    return found
