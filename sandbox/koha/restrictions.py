"""Patron restrictions (Koha's "debarments", table ``borrower_debarments``).

Koha's published OpenAPI spec (``api/v1/swagger/swagger.yaml``) has no route to add or lift a
patron restriction: staff do it in the interface (``members/mod_debarment.pl``) and the REST API
only exposes the read-only ``restricted`` flag of a patron (filterable with ``restricted=true``).
Atrium needs finance holds to block borrowing, so the emulator adds the route a Koha plugin
would add, shaped like Koha's other sub-resources and like the ``borrower_debarments`` columns:

- ``GET    /api/v1/patrons/{patron_id}/restrictions``            -> 200 list
- ``POST   /api/v1/patrons/{patron_id}/restrictions``            -> 201 restriction
- ``DELETE /api/v1/patrons/{patron_id}/restrictions/{restriction_id}`` -> 204

A restriction is ``{restriction_id, patron_id, type, comment, expiration_date, created_date,
updated_date}`` with ``type`` one of MANUAL, OVERDUES, SUSPENSION, DISCHARGE.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from sandbox.koha.patrons import not_found, read_body
from sandbox.koha.schema import DATE_RE
from sandbox.koha.store import RESTRICTION_TYPES, now_iso

FIELDS = {"type", "comment", "expiration_date"}


def _to_api(row: sqlite3.Row) -> dict[str, Any]:
    return {key: row[key] for key in row.keys()}  # noqa: SIM118 - sqlite3.Row is not a dict


def _errors(body: Any) -> list[dict[str, str]]:
    if not isinstance(body, dict):
        return [{"message": "Expected object - got null.", "path": "/body"}]
    errors = []
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        errors.append(
            {"message": f"Properties not allowed: {', '.join(unknown)}.", "path": "/body"}
        )
    kind = body.get("type", "MANUAL")
    if kind not in RESTRICTION_TYPES:
        errors.append(
            {"message": f"Not in enum list: {', '.join(RESTRICTION_TYPES)}.", "path": "/body/type"}
        )
    expiry = body.get("expiration_date")
    if expiry is not None and (not isinstance(expiry, str) or not DATE_RE.match(expiry)):
        errors.append({"message": "Does not match date format.", "path": "/body/expiration_date"})
    comment = body.get("comment")
    if comment is not None and not isinstance(comment, str):
        errors.append({"message": "Expected string/null - got other.", "path": "/body/comment"})
    return errors


def register_restriction_routes(app: FastAPI, conn: sqlite3.Connection) -> None:
    def exists(patron_id: str) -> bool:
        return patron_id.isdigit() and bool(
            conn.execute("SELECT 1 FROM patrons WHERE patron_id=?", (int(patron_id),)).fetchone()
        )

    @app.get("/api/v1/patrons/{patron_id}/restrictions")
    async def list_(patron_id: str) -> Response:
        if not exists(patron_id):
            return not_found()
        rows = conn.execute(
            "SELECT * FROM restrictions WHERE patron_id=? ORDER BY restriction_id",
            (int(patron_id),),
        ).fetchall()
        return JSONResponse([_to_api(r) for r in rows], headers={"X-Total-Count": str(len(rows))})

    @app.post("/api/v1/patrons/{patron_id}/restrictions")
    async def add(patron_id: str, request: Request) -> Response:
        if not exists(patron_id):
            return not_found()
        body, error = await read_body(request)
        errors = [] if error else _errors(body)
        if error or errors:
            return error or JSONResponse({"errors": errors, "status": 400}, status_code=400)
        stamp = now_iso()
        cur = conn.execute(
            "INSERT INTO restrictions (patron_id, type, comment, expiration_date, created_date, "
            "updated_date) VALUES (?, ?, ?, ?, ?, ?)",
            (
                int(patron_id),
                body.get("type", "MANUAL"),
                body.get("comment"),
                body.get("expiration_date"),
                stamp,
                stamp,
            ),
        )
        row = conn.execute(
            "SELECT * FROM restrictions WHERE restriction_id=?", (cur.lastrowid,)
        ).fetchone()
        return JSONResponse(
            _to_api(row),
            status_code=201,
            headers={"Location": f"{request.url.path}/{cur.lastrowid}"},
        )

    @app.delete("/api/v1/patrons/{patron_id}/restrictions/{restriction_id}")
    async def lift(patron_id: str, restriction_id: str) -> Response:
        if not exists(patron_id):
            return not_found()
        cur = conn.execute(
            "DELETE FROM restrictions WHERE patron_id=? AND restriction_id=?",
            (int(patron_id), int(restriction_id) if restriction_id.isdigit() else -1),
        )
        if not cur.rowcount:
            return JSONResponse(
                {"error": "Restriction not found", "error_code": "not_found"}, status_code=404
            )
        return Response(status_code=204)
