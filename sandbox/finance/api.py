"""The bursar REST routes: accounts, holds, charges. See ``sandbox/finance/__init__.py``."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import sqlite3
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sandbox.finance.problems import invalid, problem
from sandbox.finance.store import account_row, now_iso

Created = tuple[int, dict[str, Any], str | None]  # status, body, Location


class AccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    student_id: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(min_length=1)
    email: str | None = None


class AccountPatch(BaseModel):
    """The personal fields of an account (a merge patch: only the fields given change)."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1)
    email: str | None = None


class HoldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hold_type: Literal["registration", "transcript", "graduation", "library", "financial"]
    reason: str | None = Field(None, max_length=500)


class ChargeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    description: str = Field(min_length=1, max_length=200)
    due_date: date | None = None


def _encode(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


def _decode(cursor: str) -> str:
    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()


async def _parse(model: type[BaseModel], request: Request) -> BaseModel | JSONResponse:
    try:
        return model.model_validate_json(await request.body() or b"null")
    except ValidationError as exc:
        errors = [
            {"pointer": "#/" + "/".join(str(p) for p in e["loc"]), "detail": e["msg"]}
            for e in exc.errors()
        ]
        return invalid(errors, request.url.path)


def _page_params(request: Request) -> tuple[int, str | None] | JSONResponse:
    raw_limit = request.query_params.get("limit", "25")
    cursor = request.query_params.get("cursor")
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 100:
        return problem(400, "invalid-parameter", "limit must be an integer from 1 to 100")
    try:
        after = _decode(cursor) if cursor else None
    except (ValueError, UnicodeDecodeError):
        return problem(400, "invalid-parameter", "cursor is not one this API issued")
    return int(raw_limit), after


def register_routes(
    app: FastAPI, conn: sqlite3.Connection, corrupt: Callable[[dict[str, Any]], dict[str, Any]]
) -> None:
    def account(student_id: str) -> dict[str, Any] | None:
        row = conn.execute("SELECT * FROM accounts WHERE student_id=?", (student_id,)).fetchone()
        return None if row is None else corrupt(account_row(row))

    def no_account(request: Request, student_id: str) -> JSONResponse:
        return problem(
            404, "not-found", f"No account for student {student_id}", instance=request.url.path
        )

    async def idempotent(
        request: Request, body: BaseModel, create: Callable[[], Created]
    ) -> JSONResponse:
        """Replays the first answer for a repeated Idempotency-Key (same body), 422 if reused."""
        key = request.headers.get("Idempotency-Key")
        fingerprint = hashlib.sha256(
            f"{request.method} {request.url.path} {body.model_dump_json()}".encode()
        ).hexdigest()
        if key:
            row = conn.execute("SELECT * FROM idempotency WHERE key=?", (key,)).fetchone()
            if row is not None:
                if row["fingerprint"] != fingerprint:
                    return problem(
                        422,
                        "idempotency-key-reused",
                        "This Idempotency-Key was used with a different request.",
                    )
                headers = {"Idempotency-Replayed": "true"}
                if row["location"]:
                    headers["Location"] = row["location"]
                return JSONResponse(
                    json.loads(row["body"]), status_code=row["status"], headers=headers
                )
        status, payload, location = create()
        if key and status < 300:
            conn.execute(
                "INSERT INTO idempotency VALUES (?, ?, ?, ?, ?)",
                (key, fingerprint, status, json.dumps(payload), location),
            )
        return JSONResponse(
            payload,
            status_code=status,
            headers={"Location": location} if location else None,
            media_type="application/problem+json" if status >= 400 else None,
        )

    @app.get("/api/accounts")
    async def list_accounts(request: Request) -> Response:
        page = _page_params(request)
        if isinstance(page, JSONResponse):
            return page
        limit, after = page
        rows = conn.execute(
            "SELECT * FROM accounts WHERE student_id > ? ORDER BY student_id LIMIT ?",
            (after or "", limit + 1),
        ).fetchall()
        data = [corrupt(account_row(r)) for r in rows[:limit]]
        more = len(rows) > limit
        return JSONResponse(
            {"data": data, "next_cursor": _encode(rows[limit - 1]["student_id"]) if more else None}
        )

    @app.post("/api/accounts")
    async def create_account(request: Request) -> Response:
        body = await _parse(AccountIn, request)
        if isinstance(body, JSONResponse):
            return body
        assert isinstance(body, AccountIn)

        def create() -> Created:
            if account(body.student_id):
                conflict = problem(
                    409, "account-exists", f"Account {body.student_id} already exists"
                )
                return 409, json.loads(bytes(conflict.body)), None
            stamp = now_iso()
            conn.execute(
                "INSERT INTO accounts VALUES (?, ?, ?, 'active', '0.00', 'USD', ?, ?)",
                (body.student_id, body.name, body.email, stamp, stamp),
            )
            return 201, account(body.student_id) or {}, f"{request.url.path}/{body.student_id}"

        return await idempotent(request, body, create)

    @app.get("/api/accounts/{student_id}")
    async def get_account(student_id: str, request: Request) -> Response:
        found = account(student_id)
        return JSONResponse(found) if found else no_account(request, student_id)

    @app.patch("/api/accounts/{student_id}")
    async def update_account(student_id: str, request: Request) -> Response:
        if not account(student_id):
            return no_account(request, student_id)
        body = await _parse(AccountPatch, request)
        if isinstance(body, JSONResponse):
            return body
        assert isinstance(body, AccountPatch)
        given = body.model_dump(exclude_unset=True)
        if "name" in given and given["name"] is None:
            return invalid(
                [{"pointer": "#/name", "detail": "name cannot be null"}], request.url.path
            )
        for column in ("name", "email"):  # the ledger (balance, holds, charges) stays as it is
            if column in given:
                conn.execute(
                    f"UPDATE accounts SET {column}=?, updated_at=? WHERE student_id=?",  # noqa: S608
                    (given[column], now_iso(), student_id),
                )
        return JSONResponse(account(student_id))

    @app.get("/api/accounts/{student_id}/holds")
    async def list_holds(student_id: str, request: Request) -> Response:
        if not account(student_id):
            return no_account(request, student_id)
        page = _page_params(request)
        if isinstance(page, JSONResponse):
            return page
        limit, after = page
        status = request.query_params.get("status")
        rows = conn.execute(
            "SELECT * FROM holds WHERE student_id=? AND hold_id > ? AND (? IS NULL OR status=?) "
            "ORDER BY hold_id LIMIT ?",
            (student_id, after or "", status, status, limit + 1),
        ).fetchall()
        more = len(rows) > limit
        return JSONResponse(
            {
                "data": [account_row(r) for r in rows[:limit]],
                "next_cursor": _encode(rows[limit - 1]["hold_id"]) if more else None,
            }
        )

    @app.post("/api/accounts/{student_id}/holds")
    async def place_hold(student_id: str, request: Request) -> Response:
        if not account(student_id):
            return no_account(request, student_id)
        body = await _parse(HoldIn, request)
        if isinstance(body, JSONResponse):
            return body
        assert isinstance(body, HoldIn)

        def create() -> Created:
            hold_id = f"hld_{secrets.token_hex(8)}"
            conn.execute(
                "INSERT INTO holds VALUES (?, ?, ?, ?, 'active', ?, NULL)",
                (hold_id, student_id, body.hold_type, body.reason, now_iso()),
            )
            row = conn.execute("SELECT * FROM holds WHERE hold_id=?", (hold_id,)).fetchone()
            return 201, account_row(row), f"{request.url.path}/{hold_id}"

        return await idempotent(request, body, create)

    @app.delete("/api/accounts/{student_id}/holds/{hold_id}")
    async def lift_hold(student_id: str, hold_id: str, request: Request) -> Response:
        row = conn.execute(
            "SELECT status FROM holds WHERE hold_id=? AND student_id=?", (hold_id, student_id)
        ).fetchone()
        if row is None:
            return problem(
                404,
                "not-found",
                f"No hold {hold_id} on account {student_id}",
                instance=request.url.path,
            )
        if row["status"] == "active":  # lifting twice is harmless: DELETE is idempotent
            conn.execute(
                "UPDATE holds SET status='lifted', lifted_at=? WHERE hold_id=?",
                (now_iso(), hold_id),
            )
        return Response(status_code=204)

    @app.post("/api/accounts/{student_id}/charges")
    async def post_charge(student_id: str, request: Request) -> Response:
        if not account(student_id):
            return no_account(request, student_id)
        body = await _parse(ChargeIn, request)
        if isinstance(body, JSONResponse):
            return body
        assert isinstance(body, ChargeIn)

        def create() -> Created:
            charge_id, stamp = f"chg_{secrets.token_hex(8)}", now_iso()
            amount = body.amount.quantize(Decimal("0.01"))
            conn.execute(
                "INSERT INTO charges VALUES (?, ?, ?, ?, ?, ?)",
                (
                    charge_id,
                    student_id,
                    str(amount),
                    body.description,
                    body.due_date.isoformat() if body.due_date else None,
                    stamp,
                ),
            )
            balance = (
                Decimal(
                    conn.execute(
                        "SELECT balance FROM accounts WHERE student_id=?", (student_id,)
                    ).fetchone()[0]
                )
                + amount
            )
            conn.execute(
                "UPDATE accounts SET balance=?, updated_at=? WHERE student_id=?",
                (str(balance), stamp, student_id),
            )
            row = conn.execute("SELECT * FROM charges WHERE charge_id=?", (charge_id,)).fetchone()
            return 201, account_row(row), f"{request.url.path}/{charge_id}"

        return await idempotent(request, body, create)
