"""Accounts and terms: ``/api/v1/accounts``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sandbox.canvas import lookups, render
from sandbox.canvas.errors import field_errors, not_found
from sandbox.canvas.pagination import paginated
from sandbox.canvas.params import Params, as_bool, as_str, section
from sandbox.canvas.state import State

router = APIRouter(prefix="/api/v1")


@router.get("/accounts")
def list_accounts(request: Request, state: State) -> JSONResponse:
    """Accounts the caller administers: the demo token's owner administers the root account."""
    return paginated(
        request,
        state.ctx,
        state.db.conn(),
        select="*",
        from_where="accounts WHERE parent_account_id IS NULL AND workflow_state = 'active'",
        args=[],
        order_by="id",
        render=render.account,
    )


@router.get("/accounts/{account}")
def get_account(account: str, state: State) -> dict[str, object]:
    conn = state.db.conn()
    row = conn.execute("SELECT * FROM accounts WHERE id = ?", (lookups.account_id(conn, account),))
    return render.account(row.fetchone())


@router.get("/accounts/{account}/sub_accounts")
def list_sub_accounts(account: str, request: Request, state: State) -> JSONResponse:
    conn = state.db.conn()
    parent = lookups.account_id(conn, account)
    if as_bool(request.query_params.get("recursive")):
        where = (
            "accounts WHERE id IN (WITH RECURSIVE sub(id) AS (SELECT id FROM accounts WHERE"
            " parent_account_id = ? UNION SELECT a.id FROM accounts a JOIN sub ON"
            " a.parent_account_id = sub.id) SELECT id FROM sub) AND workflow_state = 'active'"
        )
    else:
        where = "accounts WHERE parent_account_id = ? AND workflow_state = 'active'"
    return paginated(
        request,
        state.ctx,
        conn,
        select="*",
        from_where=where,
        args=[parent],
        order_by="id",
        render=render.account,
    )


@router.post("/accounts/{account}/sub_accounts")
def create_sub_account(account: str, params: Params, state: State) -> dict[str, object]:
    conn = state.db.conn()
    parent = lookups.account_id(conn, account)
    fields = section(params, "account")
    name = as_str(fields.get("name"))
    if name is None:
        raise field_errors(400, {"name": [("blank", "The account name cannot be blank")]})
    sis_id = as_str(fields.get("sis_account_id"))
    if (
        sis_id
        and conn.execute("SELECT 1 FROM accounts WHERE sis_account_id = ?", (sis_id,)).fetchone()
    ):
        raise field_errors(400, {"sis_account_id": [("taken", "SIS ID is already in use")]})
    cursor = conn.execute(
        "INSERT INTO accounts (name, parent_account_id, root_account_id, sis_account_id)"
        " VALUES (?, ?, 1, ?)",
        (name, parent, sis_id),
    )
    return render.account(
        conn.execute("SELECT * FROM accounts WHERE id = ?", (cursor.lastrowid,)).fetchone()
    )


@router.get("/accounts/{account}/terms")
def list_terms(account: str, request: Request, state: State) -> JSONResponse:
    conn = state.db.conn()
    if lookups.account_id(conn, account) != lookups.ROOT_ACCOUNT_ID:
        raise not_found()
    rows = conn.execute(
        "SELECT * FROM terms WHERE workflow_state != 'deleted' ORDER BY id"
    ).fetchall()
    terms = [
        {
            "id": r["id"],
            "name": r["name"],
            "sis_term_id": r["sis_term_id"],
            "start_at": r["start_at"],
            "end_at": r["end_at"],
            "workflow_state": r["workflow_state"],
        }
        for r in rows
    ]
    return JSONResponse({"enrollment_terms": terms})
