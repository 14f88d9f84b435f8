"""Courses: ``/api/v1/accounts/:id/courses`` and ``/api/v1/courses/:id``."""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sandbox.canvas import lookups, render
from sandbox.canvas.db import now_iso
from sandbox.canvas.errors import bad_request, field_errors
from sandbox.canvas.pagination import paginated
from sandbox.canvas.params import Params, as_bool, as_list, as_str, section
from sandbox.canvas.state import State

router = APIRouter(prefix="/api/v1")

# course[event] -> workflow_state; Canvas shows created/claimed courses as "unpublished".
EVENTS = {
    "offer": "available",
    "claim": "unpublished",
    "conclude": "completed",
    "delete": "deleted",
    "undelete": "unpublished",
}
STATE_FILTERS = {
    "created": "unpublished",
    "claimed": "unpublished",
    "available": "available",
    "completed": "completed",
    "deleted": "deleted",
}


def load_course(conn: sqlite3.Connection, course_id: int) -> dict[str, Any]:
    return render.course(
        conn.execute("SELECT * FROM courses WHERE id = ?", (course_id,)).fetchone()
    )


def check_sis_course_id_free(conn: sqlite3.Connection, sis_id: str | None, course_id: int) -> None:
    if (
        sis_id
        and conn.execute(
            "SELECT 1 FROM courses WHERE sis_course_id = ? AND id != ?", (sis_id, course_id)
        ).fetchone()
    ):
        raise field_errors(
            400, {"sis_source_id": [("taken", f'SIS ID "{sis_id}" is already in use')]}
        )


@router.post("/accounts/{account}/courses")
def create_course(account: str, params: Params, state: State) -> dict[str, Any]:
    conn = state.db.conn()
    account_id = lookups.account_id(conn, account)
    fields = section(params, "course")
    sis_id = as_str(fields.get("sis_course_id"))
    check_sis_course_id_free(conn, sis_id, 0)
    term = as_str(fields.get("term_id"))
    cursor = conn.execute(
        "INSERT INTO courses (name, course_code, account_id, enrollment_term_id, sis_course_id,"
        " integration_id, workflow_state, start_at, end_at, created_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?)",
        (
            as_str(fields.get("name")) or "Unnamed Course",
            as_str(fields.get("course_code")) or "Unnamed",
            account_id,
            lookups.term_id(conn, term) if term else 1,
            sis_id,
            as_str(fields.get("integration_id")),
            "available" if as_bool(params.get("offer")) else "unpublished",
            as_str(fields.get("start_at")),
            as_str(fields.get("end_at")),
            now_iso(),
        ),
    )
    return load_course(conn, int(cursor.lastrowid or 0))


@router.get("/accounts/{account}/courses")
def list_account_courses(account: str, request: Request, state: State) -> JSONResponse:
    conn = state.db.conn()
    account_id = lookups.account_id(conn, account)
    query = request.query_params
    where = [
        "c.account_id IN (WITH RECURSIVE sub(id) AS (SELECT ? UNION SELECT a.id FROM accounts a"
        " JOIN sub ON a.parent_account_id = sub.id) SELECT id FROM sub)"
    ]
    args: list[Any] = [account_id]
    states = as_list(query.getlist("state[]"))
    if "all" not in states:
        wanted = sorted({STATE_FILTERS[s] for s in states if s in STATE_FILTERS})
        if wanted:
            where.append(f"c.workflow_state IN ({','.join('?' * len(wanted))})")
            args += wanted
        else:
            where.append("c.workflow_state != 'deleted'")
    if (term := query.get("enrollment_term_id")) is not None:
        where.append("c.enrollment_term_id = ?")
        args.append(lookups.term_id(conn, term))
    if (search := query.get("search_term")) is not None:
        if len(search) < 2:
            raise bad_request("search_term of 2 or more characters is required")
        where.append("(lower(c.name) LIKE ? OR lower(c.course_code) LIKE ? OR c.sis_course_id = ?)")
        args += [f"%{search.lower()}%", f"%{search.lower()}%", search]
    if query.get("published") is not None:
        where.append(
            "c.workflow_state = 'available'"
            if as_bool(query["published"])
            else "c.workflow_state = 'unpublished'"
        )
    if as_bool(query.get("with_enrollments")):
        where.append("EXISTS (SELECT 1 FROM enrollments e WHERE e.course_id = c.id)")
    return paginated(
        request,
        state.ctx,
        conn,
        select="c.*",
        from_where=f"courses c WHERE {' AND '.join(where)}",
        args=args,
        order_by="c.id",
        render=render.course,
    )


@router.get("/courses/{course}")
def get_course(course: str, state: State) -> dict[str, Any]:
    conn = state.db.conn()
    return load_course(conn, lookups.course_id(conn, course))


@router.put("/courses/{course}")
def update_course(course: str, params: Params, state: State) -> dict[str, Any]:
    conn = state.db.conn()
    course_id = lookups.course_id(conn, course)
    row = conn.execute("SELECT * FROM courses WHERE id = ?", (course_id,)).fetchone()
    fields = section(params, "course")
    sis_id = as_str(fields.get("sis_course_id")) or row["sis_course_id"]
    check_sis_course_id_free(conn, sis_id, course_id)
    event = as_str(fields.get("event"))
    if event is not None and event not in EVENTS:
        raise bad_request(f"invalid event {event}")
    term = as_str(fields.get("term_id"))
    conn.execute(
        "UPDATE courses SET name = ?, course_code = ?, sis_course_id = ?, integration_id = ?,"
        " enrollment_term_id = ?, start_at = ?, end_at = ?, workflow_state = ? WHERE id = ?",
        (
            as_str(fields.get("name")) or row["name"],
            as_str(fields.get("course_code")) or row["course_code"],
            sis_id,
            as_str(fields.get("integration_id")) or row["integration_id"],
            lookups.term_id(conn, term) if term else row["enrollment_term_id"],
            as_str(fields.get("start_at")) or row["start_at"],
            as_str(fields.get("end_at")) or row["end_at"],
            EVENTS[event] if event else row["workflow_state"],
            course_id,
        ),
    )
    return load_course(conn, course_id)


@router.delete("/courses/{course}")
def delete_course(course: str, request: Request, state: State) -> dict[str, bool]:
    conn = state.db.conn()
    course_id = lookups.course_id(conn, course)
    event = request.query_params.get("event")
    if event not in ("delete", "conclude"):
        raise bad_request("Only 'delete' and 'conclude' events are allowed.")
    conn.execute("UPDATE courses SET workflow_state = ? WHERE id = ?", (EVENTS[event], course_id))
    return {event: True}
