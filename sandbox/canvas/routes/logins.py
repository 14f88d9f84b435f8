"""Logins (pseudonyms): ``/api/v1/users/:id/logins`` and ``/api/v1/accounts/:id/logins``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sandbox.canvas import lookups, render
from sandbox.canvas.db import now_iso
from sandbox.canvas.errors import field_errors, not_found
from sandbox.canvas.pagination import paginated
from sandbox.canvas.params import Params, as_str, section
from sandbox.canvas.routes.users import check_login_free
from sandbox.canvas.state import State

router = APIRouter(prefix="/api/v1")


@router.get("/users/{user}/logins")
def list_user_logins(user: str, request: Request, state: State) -> JSONResponse:
    conn = state.db.conn()
    user_id = lookups.user_id(conn, user)
    return paginated(
        request,
        state.ctx,
        conn,
        select="*",
        from_where="logins WHERE user_id = ? AND workflow_state != 'deleted'",
        args=[user_id],
        order_by="id",
        render=render.login,
    )


@router.post("/accounts/{account}/logins")
def create_login(account: str, params: Params, state: State) -> dict[str, Any]:
    conn = state.db.conn()
    account_id = lookups.account_id(conn, account)
    user_ident = as_str(section(params, "user").get("id"))
    if user_ident is None:
        raise field_errors(400, {"user_id": [("blank", "can't be blank")]}, "login")
    user_id = lookups.user_id(conn, user_ident)
    login = section(params, "login")
    unique_id = as_str(login.get("unique_id"))
    if unique_id is None:
        raise field_errors(400, {"unique_id": [("blank", "can't be blank")]})
    sis_user_id = as_str(login.get("sis_user_id"))
    check_login_free(conn, account_id, unique_id, sis_user_id, "")
    cursor = conn.execute(
        "INSERT INTO logins (user_id, account_id, unique_id, unique_id_lower, sis_user_id,"
        " integration_id, authentication_provider_id, created_at) VALUES (?,?,?,?,?,?,?,?)",
        (
            user_id,
            account_id,
            unique_id,
            unique_id.lower(),
            sis_user_id,
            as_str(login.get("integration_id")),
            as_str(login.get("authentication_provider_id")),
            now_iso(),
        ),
    )
    row = conn.execute("SELECT * FROM logins WHERE id = ?", (cursor.lastrowid,)).fetchone()
    return render.login(row)


@router.put("/accounts/{account}/logins/{login_id}")
def update_login(account: str, login_id: int, params: Params, state: State) -> dict[str, Any]:
    conn = state.db.conn()
    account_id = lookups.account_id(conn, account)
    row = conn.execute(
        "SELECT * FROM logins WHERE id = ? AND account_id = ?", (login_id, account_id)
    ).fetchone()
    if row is None:
        raise not_found()
    login = section(params, "login")
    unique_id = as_str(login.get("unique_id")) or row["unique_id"]
    sis_user_id = as_str(login.get("sis_user_id")) or row["sis_user_id"]
    clash = conn.execute(
        "SELECT id FROM logins WHERE id != ? AND (unique_id_lower = ? OR sis_user_id = ?)",
        (login_id, unique_id.lower(), sis_user_id),
    ).fetchone()
    if clash:
        raise field_errors(400, {"unique_id": [("taken", "ID already in use")]})
    conn.execute(
        "UPDATE logins SET unique_id = ?, unique_id_lower = ?, sis_user_id = ?, integration_id = ?,"
        " workflow_state = ? WHERE id = ?",
        (
            unique_id,
            unique_id.lower(),
            sis_user_id,
            as_str(login.get("integration_id")) or row["integration_id"],
            as_str(login.get("workflow_state")) or row["workflow_state"],
            login_id,
        ),
    )
    return render.login(conn.execute("SELECT * FROM logins WHERE id = ?", (login_id,)).fetchone())
