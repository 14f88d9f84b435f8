"""A course's gradebook structure: assignment groups (``include[]=assignments``) and grading
standards (the letter schemes an assignment with ``grading_type=letter_grade`` is graded on)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sandbox.canvas import lookups, render
from sandbox.canvas.db import now_iso, transaction
from sandbox.canvas.errors import field_errors
from sandbox.canvas.pagination import paginated, paginated_list
from sandbox.canvas.params import Params, as_list, as_str
from sandbox.canvas.state import State

router = APIRouter(prefix="/api/v1")

DEFAULT_GROUP = "Assignments"


def ensure_default_group(conn: sqlite3.Connection, course_id: int) -> int:
    """Canvas gives every course an "Assignments" group and files ungrouped assignments in it."""
    row = conn.execute(
        "SELECT id FROM assignment_groups WHERE course_id = ? ORDER BY position, id LIMIT 1",
        (course_id,),
    ).fetchone()
    if row is not None:
        group_id = int(row[0])
    else:
        stamp = now_iso()
        cursor = conn.execute(
            "INSERT INTO assignment_groups (course_id, name, position, created_at, updated_at)"
            " VALUES (?, ?, 1, ?, ?)",
            (course_id, DEFAULT_GROUP, stamp, stamp),
        )
        group_id = int(cursor.lastrowid or 0)
    conn.execute(
        "UPDATE assignments SET assignment_group_id = ? WHERE course_id = ?"
        " AND assignment_group_id IS NULL",
        (group_id, course_id),
    )
    return group_id


def group_in_course(conn: sqlite3.Connection, course_id: int, value: Any) -> int:
    text = as_str(value)
    row = (
        conn.execute(
            "SELECT id FROM assignment_groups WHERE id = ? AND course_id = ?", (text, course_id)
        ).fetchone()
        if text and text.isdigit()
        else None
    )
    if row is None:
        raise field_errors(400, {"assignment_group_id": [("invalid", "is invalid")]})
    return int(row[0])


def standard_in_course(conn: sqlite3.Connection, course_id: int, value: Any) -> int | None:
    text = as_str(value)
    if text is None:
        return None
    row = (
        conn.execute(
            "SELECT id FROM grading_standards WHERE id = ? AND course_id = ?", (text, course_id)
        ).fetchone()
        if text.isdigit()
        else None
    )
    if row is None:
        raise field_errors(400, {"grading_standard_id": [("invalid", "is invalid")]})
    return int(row[0])


@router.get("/courses/{course}/assignment_groups")
def list_assignment_groups(course: str, request: Request, state: State) -> JSONResponse:
    """``include[]=assignments`` nests each group's assignments, as the gradebook reads them."""
    conn = state.db.conn()
    course_id = lookups.course_id(conn, course)
    ensure_default_group(conn, course_id)
    with_assignments = "assignments" in as_list(request.query_params.getlist("include[]"))

    def group(row: sqlite3.Row) -> dict[str, Any]:
        out = render.assignment_group(row)
        if with_assignments:
            out["assignments"] = [
                render.assignment(a)
                for a in conn.execute(
                    "SELECT * FROM assignments WHERE assignment_group_id = ? ORDER BY id",
                    (row["id"],),
                )
            ]
        return out

    return paginated(
        request,
        state.ctx,
        conn,
        select="*",
        from_where="assignment_groups WHERE course_id = ?",
        args=[course_id],
        order_by="position, id",
        render=group,
    )


@router.post("/courses/{course}/assignment_groups")
def create_assignment_group(course: str, params: Params, state: State) -> dict[str, Any]:
    conn = state.db.conn()
    course_id = lookups.course_id(conn, course)
    name = as_str(params.get("name"))
    if name is None:
        raise field_errors(400, {"name": [("blank", "can't be blank")]})
    try:
        weight = float(as_str(params.get("group_weight")) or 0)
    except ValueError:
        raise field_errors(400, {"group_weight": [("invalid", "is not a number")]}) from None
    stamp = now_iso()
    with transaction(conn):
        position = conn.execute(
            "SELECT COALESCE(MAX(position), 0) + 1 FROM assignment_groups WHERE course_id = ?",
            (course_id,),
        ).fetchone()[0]
        cursor = conn.execute(
            "INSERT INTO assignment_groups (course_id, name, position, group_weight, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            (course_id, name, position, weight, stamp, stamp),
        )
    row = conn.execute(
        "SELECT * FROM assignment_groups WHERE id = ?", (cursor.lastrowid,)
    ).fetchone()
    return render.assignment_group(row)


@router.get("/courses/{course}/grading_standards")
def list_grading_standards(course: str, request: Request, state: State) -> JSONResponse:
    conn = state.db.conn()
    course_id = lookups.course_id(conn, course)
    rows = conn.execute(
        "SELECT * FROM grading_standards WHERE course_id = ? ORDER BY id", (course_id,)
    ).fetchall()
    return paginated_list(request, state.ctx, [render.grading_standard(r) for r in rows])


def _scheme(params: dict[str, Any]) -> list[dict[str, Any]]:
    """``grading_scheme_entry[]`` of {name, value}: values are percents in, fractions out."""
    entries = params.get("grading_scheme_entry")
    problems = [("invalid", "grading_scheme_entry must list {name, value} entries")]
    if not isinstance(entries, list) or not entries:
        raise field_errors(400, {"grading_scheme_entry": problems})
    scheme = []
    for entry in entries:
        fields = entry if isinstance(entry, dict) else {}
        name = as_str(fields.get("name"))
        try:
            value = float(str(fields.get("value")))
        except ValueError:
            value = -1.0
        if name is None or not 0 <= value <= 100:
            raise field_errors(400, {"grading_scheme_entry": problems})
        scheme.append({"name": name, "value": round(value / 100, 4)})
    return sorted(scheme, key=lambda e: -e["value"])


@router.post("/courses/{course}/grading_standards")
def create_grading_standard(course: str, params: Params, state: State) -> dict[str, Any]:
    conn = state.db.conn()
    course_id = lookups.course_id(conn, course)
    title = as_str(params.get("title"))
    if title is None:
        raise field_errors(400, {"title": [("blank", "can't be blank")]})
    cursor = conn.execute(
        "INSERT INTO grading_standards (course_id, title, grading_scheme, created_at)"
        " VALUES (?, ?, ?, ?)",
        (course_id, title, json.dumps(_scheme(params)), now_iso()),
    )
    row = conn.execute(
        "SELECT * FROM grading_standards WHERE id = ?", (cursor.lastrowid,)
    ).fetchone()
    return render.grading_standard(row)
