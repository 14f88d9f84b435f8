"""Enrollments: create, list (course, section, user), conclude/delete/inactivate, reactivate."""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sandbox.canvas import lookups, render
from sandbox.canvas.db import now_iso, transaction
from sandbox.canvas.errors import CanvasApiError, not_found
from sandbox.canvas.pagination import paginated
from sandbox.canvas.params import Params, as_bool, as_list, as_str, section
from sandbox.canvas.routes.sections import default_section
from sandbox.canvas.state import State

router = APIRouter(prefix="/api/v1")

TASK_STATES = {
    "conclude": "completed",
    "delete": "deleted",
    "inactivate": "inactive",
    "deactivate": "inactive",
}
DEFAULT_STATES = ("active", "invited", "creation_pending")
ALL_STATES = (
    "active",
    "invited",
    "creation_pending",
    "deleted",
    "rejected",
    "completed",
    "inactive",
)


def message(status: int, text: str) -> CanvasApiError:
    return CanvasApiError(status, {"message": text})


def load_enrollment(conn: sqlite3.Connection, enrollment_id: int) -> dict[str, Any]:
    sql = f"SELECT {render.ENROLLMENT_COLUMNS} FROM {render.ENROLLMENTS_FROM} WHERE e.id = ?"  # noqa: S608
    row = conn.execute(sql, (enrollment_id,)).fetchone()
    if row is None:
        raise not_found()
    return render.enrollment(row)


def enroll(
    conn: sqlite3.Connection, course_id: int, section_id: int | None, params: dict[str, Any]
) -> dict[str, Any]:
    fields = section(params, "enrollment")
    if not fields:
        raise message(400, "No parameters given")
    user_ident = as_str(fields.get("user_id"))
    if user_ident is None:
        raise message(
            400,
            "Can't create an enrollment without a user. Include enrollment[user_id] to"
            " create an enrollment",
        )
    role_id = as_str(fields.get("role_id"))
    kind = as_str(fields.get("type")) or (
        render.ROLE_TYPES.get(int(role_id)) if role_id and role_id.isdigit() else None
    )
    if kind not in render.ROLE_IDS:
        raise message(400, "Invalid type")
    user_id = lookups.user_id(conn, user_ident)
    wanted = as_str(fields.get("enrollment_state")) or "invited"
    if wanted not in ("active", "invited", "inactive"):
        raise message(400, "Invalid enrollment_state")
    section_param = as_str(fields.get("course_section_id"))
    if section_id is None and section_param:
        section_id = lookups.section_id(conn, section_param)
    stamp = now_iso()
    with transaction(conn):
        if section_id is None:
            section_id = default_section(conn, course_id)
        elif (
            conn.execute("SELECT course_id FROM sections WHERE id = ?", (section_id,)).fetchone()[0]
            != course_id
        ):
            raise message(400, "The specified section does not belong to the course")
        cursor = conn.execute(
            "INSERT INTO enrollments (user_id, course_id, course_section_id, type, role_id,"
            " workflow_state, limit_privileges, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT (user_id, course_section_id, type, role_id) DO UPDATE SET"
            " workflow_state = excluded.workflow_state, updated_at = excluded.updated_at"
            " RETURNING id",
            (
                user_id,
                course_id,
                section_id,
                kind,
                render.ROLE_IDS[kind],
                wanted,
                int(as_bool(fields.get("limit_privileges_to_course_section"))),
                stamp,
                stamp,
            ),
        )
        enrollment_id = int(cursor.fetchone()[0])
        if kind == "StudentEnrollment":
            conn.execute(
                "INSERT OR IGNORE INTO submissions (assignment_id, user_id)"
                " SELECT id, ? FROM assignments WHERE course_id = ?",
                (user_id, course_id),
            )
    return load_enrollment(conn, enrollment_id)


@router.post("/courses/{course}/enrollments")
def create_course_enrollment(course: str, params: Params, state: State) -> dict[str, Any]:
    conn = state.db.conn()
    return enroll(conn, lookups.course_id(conn, course), None, params)


@router.post("/sections/{section_ident}/enrollments")
def create_section_enrollment(section_ident: str, params: Params, state: State) -> dict[str, Any]:
    conn = state.db.conn()
    section_id = lookups.section_id(conn, section_ident)
    course_id = conn.execute(
        "SELECT course_id FROM sections WHERE id = ?", (section_id,)
    ).fetchone()[0]
    return enroll(conn, int(course_id), section_id, params)


def _filters(request: Request, conn: sqlite3.Connection, where: list[str], args: list[Any]) -> None:
    query = request.query_params
    types = as_list(query.getlist("type[]")) + as_list(query.getlist("role[]"))
    if types:
        where.append(f"e.type IN ({','.join('?' * len(types))})")
        args += types
    states = as_list(query.getlist("state[]"))
    states = [s for s in states if s in ALL_STATES] if states else list(DEFAULT_STATES)
    if states:
        where.append(f"e.workflow_state IN ({','.join('?' * len(states))})")
        args += states
    if (user := query.get("user_id")) is not None:
        where.append("e.user_id = ?")
        args.append(lookups.user_id(conn, user))
    for param, column in (
        ("sis_user_id[]", "l.sis_user_id"),
        ("sis_section_id[]", "s.sis_section_id"),
        ("sis_course_id[]", "c.sis_course_id"),
    ):
        values = as_list(query.getlist(param))
        if values:
            where.append(f"{column} IN ({','.join('?' * len(values))})")
            args += values


def _list(request: Request, state: State, scope: str, value: int) -> JSONResponse:
    conn = state.db.conn()
    where, args = [f"{scope} = ?"], [value]
    _filters(request, conn, where, args)
    return paginated(
        request,
        state.ctx,
        conn,
        select=render.ENROLLMENT_COLUMNS,
        from_where=f"{render.ENROLLMENTS_FROM} WHERE {' AND '.join(where)}",
        args=args,
        order_by="e.id",
        render=render.enrollment,
    )


@router.get("/courses/{course}/enrollments")
def list_course_enrollments(course: str, request: Request, state: State) -> JSONResponse:
    return _list(request, state, "e.course_id", lookups.course_id(state.db.conn(), course))


@router.get("/sections/{section_ident}/enrollments")
def list_section_enrollments(section_ident: str, request: Request, state: State) -> JSONResponse:
    return _list(
        request, state, "e.course_section_id", lookups.section_id(state.db.conn(), section_ident)
    )


@router.get("/users/{user}/enrollments")
def list_user_enrollments(user: str, request: Request, state: State) -> JSONResponse:
    return _list(request, state, "e.user_id", lookups.user_id(state.db.conn(), user))


def _set_state(
    conn: sqlite3.Connection, course: str, enrollment_id: int, new_state: str
) -> dict[str, Any]:
    course_id = lookups.course_id(conn, course)
    row = conn.execute(
        "SELECT id FROM enrollments WHERE id = ? AND course_id = ?", (enrollment_id, course_id)
    ).fetchone()
    if row is None:
        raise not_found()
    conn.execute(
        "UPDATE enrollments SET workflow_state = ?, updated_at = ? WHERE id = ?",
        (new_state, now_iso(), enrollment_id),
    )
    return load_enrollment(conn, enrollment_id)


@router.delete("/courses/{course}/enrollments/{enrollment_id}")
def end_enrollment(
    course: str, enrollment_id: int, request: Request, state: State
) -> dict[str, Any]:
    task = request.query_params.get("task", "conclude")
    if task not in TASK_STATES:
        raise message(400, f"{task} is not a valid task")
    return _set_state(state.db.conn(), course, enrollment_id, TASK_STATES[task])


@router.put("/courses/{course}/enrollments/{enrollment_id}/reactivate")
def reactivate_enrollment(course: str, enrollment_id: int, state: State) -> dict[str, Any]:
    return _set_state(state.db.conn(), course, enrollment_id, "active")
