"""Assignments and submissions: list/create assignments, list submissions, bulk grade updates."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sandbox.canvas import lookups, render
from sandbox.canvas.db import now_iso, transaction
from sandbox.canvas.errors import field_errors, not_found
from sandbox.canvas.grading import apply_grades
from sandbox.canvas.pagination import paginated
from sandbox.canvas.params import Params, as_bool, as_list, as_str, section
from sandbox.canvas.routes.gradebook import (
    ensure_default_group,
    group_in_course,
    standard_in_course,
)
from sandbox.canvas.state import State

router = APIRouter(prefix="/api/v1")

ACTIVE_STUDENTS = (
    "SELECT DISTINCT user_id FROM enrollments WHERE course_id = ? AND type = 'StudentEnrollment'"
    " AND workflow_state IN ('active', 'invited', 'creation_pending')"
)


@router.get("/courses/{course}/assignments")
def list_assignments(course: str, request: Request, state: State) -> JSONResponse:
    conn = state.db.conn()
    course_id = lookups.course_id(conn, course)
    ensure_default_group(conn, course_id)
    return paginated(
        request,
        state.ctx,
        conn,
        select="*",
        from_where="assignments WHERE course_id = ?",
        args=[course_id],
        order_by="id",
        render=render.assignment,
    )


@router.post("/courses/{course}/assignments")
def create_assignment(course: str, params: Params, state: State) -> dict[str, Any]:
    conn = state.db.conn()
    course_id = lookups.course_id(conn, course)
    fields = section(params, "assignment")
    name = as_str(fields.get("name"))
    if name is None:
        raise field_errors(400, {"name": [("blank", "can't be blank")]})
    points = as_str(fields.get("points_possible"))
    types = as_list(fields.get("submission_types")) or ["none"]
    standard = standard_in_course(conn, course_id, fields.get("grading_standard_id"))
    stamp = now_iso()
    with transaction(conn):
        group = (
            group_in_course(conn, course_id, fields["assignment_group_id"])
            if as_str(fields.get("assignment_group_id"))
            else ensure_default_group(conn, course_id)
        )
        cursor = conn.execute(
            "INSERT INTO assignments (course_id, name, description, points_possible, grading_type,"
            " submission_types, due_at, published, created_at, updated_at, assignment_group_id,"
            " grading_standard_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                course_id,
                name,
                as_str(fields.get("description")),
                float(points) if points else None,
                as_str(fields.get("grading_type")) or "points",
                ",".join(types),
                as_str(fields.get("due_at")),
                int(as_bool(fields.get("published", True))),
                stamp,
                stamp,
                group,
                standard,
            ),
        )
        assignment_id = int(cursor.lastrowid or 0)
        conn.execute(
            "INSERT OR IGNORE INTO submissions (assignment_id, user_id) SELECT ?,"  # noqa: S608
            f" user_id FROM ({ACTIVE_STUDENTS})",
            (assignment_id, course_id),
        )
    return render.assignment(
        conn.execute("SELECT * FROM assignments WHERE id = ?", (assignment_id,)).fetchone()
    )


@router.get("/courses/{course}/students/submissions")
def list_submissions(course: str, request: Request, state: State) -> JSONResponse:
    conn = state.db.conn()
    course_id = lookups.course_id(conn, course)
    query = request.query_params
    students = as_list(query.getlist("student_ids[]"))
    where = ["a.course_id = ?", f"sub.user_id IN ({ACTIVE_STUDENTS})"]
    args: list[Any] = [course_id, course_id]
    if "all" not in students:
        # Omitted ids mean "the caller's own submissions"; the demo token belongs to an admin.
        ids = [lookups.user_id(conn, s) for s in students] or [lookups.ADMIN_USER_ID]
        where.append(f"sub.user_id IN ({','.join('?' * len(ids))})")
        args += ids
    assignment_ids = as_list(query.getlist("assignment_ids[]"))
    if assignment_ids:
        where.append(f"sub.assignment_id IN ({','.join('?' * len(assignment_ids))})")
        args += assignment_ids
    if (wanted := query.get("workflow_state")) is not None:
        where.append("sub.workflow_state = ?")
        args.append(wanted)
    return paginated(
        request,
        state.ctx,
        conn,
        select="sub.*",
        from_where="submissions sub JOIN assignments a ON a.id = sub.assignment_id"
        f" WHERE {' AND '.join(where)}",
        args=args,
        order_by="sub.id",
        render=_submission_renderer(conn, as_list(query.getlist("include[]"))),
    )


def _submission_renderer(
    conn: sqlite3.Connection, include: list[str]
) -> Callable[[sqlite3.Row], dict[str, Any]]:
    """``include[]=assignment`` and ``include[]=user`` nest those objects in each submission."""

    def one(row: sqlite3.Row) -> dict[str, Any]:
        out = render.submission(row)
        if "assignment" in include:
            out["assignment"] = render.assignment(
                conn.execute(
                    "SELECT * FROM assignments WHERE id = ?", (row["assignment_id"],)
                ).fetchone()
            )
        if "user" in include:
            out["user"] = render.user(
                conn.execute(
                    f"SELECT {render.USER_COLUMNS} FROM {render.USERS_FROM} WHERE u.id = ?",  # noqa: S608
                    (row["user_id"],),
                ).fetchone(),
                email=False,
            )
        return out

    return one


def _queue_grades(state: State, course_id: int, grade_data: dict[str, Any]) -> dict[str, Any]:
    """Record a queued Progress and start the job (runs on the event loop: async routes only)."""
    conn = state.db.conn()
    stamp = now_iso()
    cursor = conn.execute(
        "INSERT INTO progress (context_id, context_type, tag, created_at, updated_at)"
        " VALUES (?, 'Course', 'submissions_update', ?, ?)",
        (course_id, stamp, stamp),
    )
    progress_id = int(cursor.lastrowid or 0)
    state.spawn(apply_grades(state, progress_id, course_id, json.loads(json.dumps(grade_data))))
    return render.progress(
        conn.execute("SELECT * FROM progress WHERE id = ?", (progress_id,)).fetchone()
    )


@router.post("/courses/{course}/submissions/update_grades")
async def update_grades(course: str, params: Params, state: State) -> dict[str, Any]:
    """``grade_data[<assignment_id>][<student_id>][posted_grade]`` -> a Progress."""
    course_id = lookups.course_id(state.db.conn(), course)
    return _queue_grades(state, course_id, section(params, "grade_data"))


@router.post("/courses/{course}/assignments/{assignment_id}/submissions/update_grades")
async def update_assignment_grades(
    course: str, assignment_id: int, params: Params, state: State
) -> dict[str, Any]:
    """``grade_data[<student_id>][posted_grade]`` for one assignment -> a Progress."""
    conn = state.db.conn()
    course_id = lookups.course_id(conn, course)
    if not conn.execute(
        "SELECT 1 FROM assignments WHERE id = ? AND course_id = ?", (assignment_id, course_id)
    ).fetchone():
        raise not_found()
    return _queue_grades(state, course_id, {str(assignment_id): section(params, "grade_data")})


@router.get("/progress/{progress_id}")
def get_progress(progress_id: int, state: State) -> dict[str, Any]:
    row: sqlite3.Row | None = (
        state.db.conn().execute("SELECT * FROM progress WHERE id = ?", (progress_id,)).fetchone()
    )
    if row is None:
        raise not_found()
    return render.progress(row)
