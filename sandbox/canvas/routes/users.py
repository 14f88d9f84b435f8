"""Users: ``/api/v1/accounts/:id/users`` and ``/api/v1/users/:id``."""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sandbox.canvas import lookups, render
from sandbox.canvas.db import now_iso, transaction
from sandbox.canvas.errors import CanvasApiError, field_errors
from sandbox.canvas.names import sortable_from
from sandbox.canvas.pagination import paginated
from sandbox.canvas.params import Params, as_list, as_str, section
from sandbox.canvas.state import State

router = APIRouter(prefix="/api/v1")

SORTS = {"username": "u.sortable_name", "email": "u.email", "sis_id": "l.sis_user_id"}


def load_user(conn: sqlite3.Connection, user_id: int) -> dict[str, Any]:
    sql = f"SELECT {render.USER_COLUMNS} FROM {render.USERS_FROM} WHERE u.id = ?"  # noqa: S608
    return render.user(conn.execute(sql, (user_id,)).fetchone())


def check_login_free(
    conn: sqlite3.Connection, account_id: int, unique_id: str, sis_user_id: str | None, scope: str
) -> None:
    taken = conn.execute(
        "SELECT 1 FROM logins WHERE account_id = ? AND unique_id_lower = ?",
        (account_id, unique_id.lower()),
    ).fetchone()
    if taken:
        raise field_errors(
            400,
            {
                "unique_id": [
                    ("taken", "ID already in use for this account and authentication provider")
                ]
            },
            scope,
        )
    if (
        sis_user_id
        and conn.execute("SELECT 1 FROM logins WHERE sis_user_id = ?", (sis_user_id,)).fetchone()
    ):
        raise field_errors(
            400, {"sis_user_id": [("taken", f'SIS ID "{sis_user_id}" is already in use')]}, scope
        )


@router.get("/accounts/{account}/users")
def list_users(account: str, request: Request, state: State) -> JSONResponse:
    conn = state.db.conn()
    lookups.account_id(conn, account)
    where, args = ["u.workflow_state != 'deleted'"], []
    term = request.query_params.get("search_term")
    if term is not None:
        if len(term) < 3:
            raise CanvasApiError(
                400,
                {
                    "errors": [
                        {
                            "field": "search_term",
                            "code": "invalid",
                            "message": "3 or more characters is required",
                        }
                    ]
                },
            )
        like = f"%{term.lower()}%"
        where.append(
            "(lower(u.name) LIKE ? OR lower(u.email) LIKE ? OR l.sis_user_id = ?"
            " OR l.unique_id_lower LIKE ? OR CAST(u.id AS TEXT) = ?)"
        )
        args += [like, like, term, like, term]
    sort = SORTS.get(request.query_params.get("sort", "username"), "u.sortable_name")
    order = "DESC" if request.query_params.get("order") == "desc" else "ASC"
    with_email = "email" in as_list(request.query_params.getlist("include[]"))
    by_login = term is not None or sort.startswith("l.")
    return paginated(
        request,
        state.ctx,
        conn,
        select=render.USER_COLUMNS,
        from_where=f"{render.USERS_FROM} WHERE {' AND '.join(where)}",
        args=args,
        order_by=f"{sort} {order}, u.id",
        render=lambda row: render.user(row, email=with_email),
        keys=None if by_login else ("u.id", f"users u WHERE {' AND '.join(where)}"),
    )


@router.post("/accounts/{account}/users")
def create_user(account: str, params: Params, state: State) -> dict[str, Any]:
    conn = state.db.conn()
    account_id = lookups.account_id(conn, account)
    user, pseudonym = section(params, "user"), section(params, "pseudonym")
    channel = section(params, "communication_channel")
    unique_id = as_str(pseudonym.get("unique_id"))
    if unique_id is None:
        raise field_errors(400, {"unique_id": [("blank", "can't be blank")]}, "pseudonym")
    sis_user_id = as_str(pseudonym.get("sis_user_id"))
    name = as_str(user.get("name")) or unique_id
    email = as_str(channel.get("address")) if channel.get("type", "email") == "email" else None
    stamp = now_iso()
    with transaction(conn):
        check_login_free(conn, account_id, unique_id, sis_user_id, "pseudonym")
        cursor = conn.execute(
            "INSERT INTO users (name, sortable_name, short_name, email, locale, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                name,
                as_str(user.get("sortable_name")) or sortable_from(name),
                as_str(user.get("short_name")) or name,
                email,
                as_str(user.get("locale")),
                stamp,
            ),
        )
        user_id = int(cursor.lastrowid or 0)
        conn.execute(
            "INSERT INTO logins (user_id, account_id, unique_id, unique_id_lower, sis_user_id,"
            " integration_id, authentication_provider_id, created_at) VALUES (?,?,?,?,?,?,?,?)",
            (
                user_id,
                account_id,
                unique_id,
                unique_id.lower(),
                sis_user_id,
                as_str(pseudonym.get("integration_id")),
                as_str(pseudonym.get("authentication_provider_id")),
                stamp,
            ),
        )
    return load_user(conn, user_id)


@router.get("/users/{user}")
def get_user(user: str, state: State) -> dict[str, Any]:
    conn = state.db.conn()
    return load_user(conn, lookups.user_id(conn, user))


@router.put("/users/{user}")
def update_user(user: str, params: Params, state: State) -> dict[str, Any]:
    conn = state.db.conn()
    user_id = lookups.user_id(conn, user)
    fields = section(params, "user")
    current = conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
    name = as_str(fields.get("name")) or current["name"]
    sortable = as_str(fields.get("sortable_name"))
    if sortable is None:
        sortable = sortable_from(name) if name != current["name"] else current["sortable_name"]
    state_now = current["workflow_state"]
    event = fields.get("event")
    if event == "suspend":
        state_now = "suspended"
    elif event == "unsuspend" and state_now == "suspended":
        state_now = "registered"
    conn.execute(
        "UPDATE users SET name = ?, sortable_name = ?, short_name = ?, email = ?, locale = ?,"
        " workflow_state = ? WHERE id = ?",
        (
            name,
            sortable,
            as_str(fields.get("short_name"))
            or (name if name != current["name"] else current["short_name"]),
            as_str(fields.get("email")) or current["email"],
            as_str(fields.get("locale")) or current["locale"],
            state_now,
            user_id,
        ),
    )
    return load_user(conn, user_id)


@router.delete("/accounts/{account}/users/{user}")
def delete_user(account: str, user: str, state: State) -> dict[str, Any]:
    """Remove a user from the root account: logins and enrollments are deleted with it."""
    conn = state.db.conn()
    lookups.account_id(conn, account)
    user_id = lookups.user_id(conn, user)
    stamp = now_iso()
    with transaction(conn):
        conn.execute("UPDATE users SET workflow_state = 'deleted' WHERE id = ?", (user_id,))
        conn.execute("UPDATE logins SET workflow_state = 'deleted' WHERE user_id = ?", (user_id,))
        conn.execute(
            "UPDATE enrollments SET workflow_state = 'deleted', updated_at = ? WHERE user_id = ?",
            (stamp, user_id),
        )
    return load_user(conn, user_id)
