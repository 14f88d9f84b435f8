"""``/api/v1/patrons`` and ``/api/v1/patrons/{patron_id}`` as Koha's Patrons controller answers."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from sandbox.koha.listing import bad_param, list_patrons
from sandbox.koha.query import QueryError
from sandbox.koha.schema import validate_patron_body
from sandbox.koha.store import (
    duplicate_of,
    insert_patron,
    missing_reference,
    restricted_sql,
    to_api,
    update_patron,
)

Records = list[dict[str, Any]]


def not_found() -> JSONResponse:
    return JSONResponse({"error": "Patron not found", "error_code": "not_found"}, status_code=404)


async def read_body(request: Request) -> tuple[Any, JSONResponse | None]:
    try:
        return json.loads(await request.body() or b"null"), None
    except json.JSONDecodeError:
        return None, bad_param("/body", "Expected object - got string.")


def fetch(conn: sqlite3.Connection, patron_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        f"SELECT patrons.*, {restricted_sql()} AS restricted FROM patrons WHERE patron_id=?",  # noqa: S608
        (patron_id,),
    ).fetchone()
    return None if row is None else to_api(row, bool(row["restricted"]))


def checked_write(conn: sqlite3.Connection, body: Any, patron_id: int = 0) -> JSONResponse | None:
    """Koha's answers for a body that is invalid, duplicate or points at nothing."""
    errors = validate_patron_body(body)
    if errors:
        return JSONResponse({"errors": errors, "status": 400}, status_code=400)
    duplicate = duplicate_of(conn, body, patron_id)
    if duplicate:
        return JSONResponse({"error": "Duplicate ID", "conflict": duplicate}, status_code=409)
    missing = missing_reference(conn, body)
    if missing:
        return JSONResponse({"error": f"Given {missing} does not exist"}, status_code=400)
    return None


def register_patron_routes(
    app: FastAPI, conn: sqlite3.Connection, maybe_malformed: Callable[[Records], Records]
) -> None:
    @app.get("/api/v1/patrons")
    async def list_(request: Request) -> Response:
        try:
            patrons, headers = list_patrons(conn, request)
        except ValueError as exc:  # int() of _page/_per_page, or a QueryError
            if isinstance(exc, QueryError):
                return JSONResponse({"error": str(exc)}, status_code=400)
            bad = (
                "_page"
                if not request.query_params.get("_page", "1").lstrip("-").isdigit()
                else "_per_page"
            )
            return bad_param(f"/query/{bad}", "Expected integer - got string.")
        return JSONResponse(maybe_malformed(patrons), headers=headers)

    @app.post("/api/v1/patrons")
    async def add(request: Request) -> Response:
        body, error = await read_body(request)
        error = error or checked_write(conn, body)
        if error:
            return error
        patron_id = insert_patron(conn, dict(body))
        return JSONResponse(
            fetch(conn, patron_id),
            status_code=201,
            headers={"Location": f"{request.url.path}/{patron_id}"},
        )

    @app.get("/api/v1/patrons/{patron_id}")
    async def get(patron_id: str) -> Response:
        patron = fetch(conn, int(patron_id)) if patron_id.isdigit() else None
        return JSONResponse(patron) if patron else not_found()

    @app.put("/api/v1/patrons/{patron_id}")
    async def update(patron_id: str, request: Request) -> Response:
        current = fetch(conn, int(patron_id)) if patron_id.isdigit() else None
        if current is None:
            return not_found()
        body, error = await read_body(request)
        error = error or checked_write(conn, body, int(patron_id))
        if error:
            return error
        row = conn.execute(
            "SELECT data FROM patrons WHERE patron_id=?", (int(patron_id),)
        ).fetchone()
        # Koha's set_from_api only touches the attributes present in the body.
        update_patron(conn, int(patron_id), {**json.loads(row["data"]), **body})
        return JSONResponse(fetch(conn, int(patron_id)))

    @app.delete("/api/v1/patrons/{patron_id}")
    async def delete(patron_id: str) -> Response:
        if not patron_id.isdigit() or fetch(conn, int(patron_id)) is None:
            return not_found()
        conn.execute("DELETE FROM restrictions WHERE patron_id=?", (int(patron_id),))
        conn.execute("DELETE FROM patrons WHERE patron_id=?", (int(patron_id),))
        return Response(status_code=204)
