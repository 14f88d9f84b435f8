"""``GET /api/v1/patrons``: filters, ``q``, ``_order_by``, ``_page``/``_per_page`` and headers.

Pagination headers follow Koha::REST::Plugin::Pagination: ``Link`` with rel prev/next/first/last
(RFC 8288), ``X-Total-Count`` (matches) and ``X-Base-Total-Count`` (before any filter).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from sandbox.koha.query import QueryCompiler, QueryError
from sandbox.koha.schema import ALL_FIELDS
from sandbox.koha.store import restricted_sql, to_api

DEFAULT_PAGE_SIZE = 20
RESERVED = {"q", "_page", "_per_page", "_order_by", "_match", "x-koha-embed"}
BOOLEAN_FILTERS = {"incorrect_address", "patron_card_lost", "autorenew_checkouts", "restricted"}


def column(field: str) -> str:
    """The SQL expression of an API attribute; unknown attributes are a bad query."""
    if field == "patron_id":
        return "patrons.patron_id"
    if field == "restricted":
        return restricted_sql()
    if field not in ALL_FIELDS:
        raise QueryError(f"Invalid query: unknown attribute {field}")
    return f"json_extract(patrons.data, '$.{field}')"


def bad_param(path: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "path": path}], "status": 400}, status_code=400
    )


def _int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    return int(raw)  # ValueError handled by the caller


def _filters(request: Request, compiler: QueryCompiler) -> list[str]:
    """Plain query-string filters, matched like Koha's ``_match`` (default: contains)."""
    match = request.query_params.get("_match", "contains")
    parts: list[str] = []
    for name, value in request.query_params.multi_items():
        if name in RESERVED:
            continue
        col = column(name)
        if name in BOOLEAN_FILTERS:
            parts.append(f"{col} = ?")
            compiler.params.append(1 if value.lower() in ("1", "true") else 0)
        elif name == "patron_id" or match == "exact":
            parts.append(f"{col} = ?")
            compiler.params.append(int(value) if name == "patron_id" else value)
        else:
            pattern = {"starts_with": "{}%", "ends_with": "%{}"}.get(match, "%{}%")
            parts.append(f"{col} LIKE ?")
            compiler.params.append(pattern.format(value))
    return parts


def _order_by(request: Request) -> str:
    terms: list[str] = []
    for raw in request.query_params.getlist("_order_by"):
        for term in raw.split(","):
            term = term.strip()
            if not term:
                continue
            direction = "DESC" if term.startswith("-") else "ASC"
            terms.append(f"{column(term.lstrip('+-').removeprefix('me.'))} {direction}")
    return ", ".join([*terms, "patrons.patron_id ASC"])


def _link(request: Request, page: int, per_page: int, rel: str) -> str:
    url = request.url.include_query_params(_page=page, _per_page=per_page)
    return f'<{url}>; rel="{rel}"'


def list_patrons(
    conn: sqlite3.Connection, request: Request
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Matching patrons of the requested page and the pagination headers. Raises on bad input."""
    page = _int_param(request, "_page", 1)
    per_page = _int_param(request, "_per_page", DEFAULT_PAGE_SIZE)
    compiler = QueryCompiler(column)
    where = _filters(request, compiler)
    q = request.query_params.get("q")
    if q:
        try:
            where.append(compiler.compile(json.loads(q)))
        except json.JSONDecodeError as exc:
            raise QueryError(f"Malformed query string: {exc.msg}") from exc
    clause = " AND ".join(where) or "1=1"
    order = _order_by(request)
    count_sql = f"SELECT count(*) FROM patrons WHERE {clause}"  # noqa: S608 - clause is compiled
    total = conn.execute(count_sql, compiler.params).fetchone()[0]
    base_total = conn.execute("SELECT count(*) FROM patrons").fetchone()[0]
    limit = "" if per_page == -1 else f" LIMIT {per_page} OFFSET {(page - 1) * per_page}"
    rows = conn.execute(
        f"SELECT patrons.*, {restricted_sql()} AS restricted FROM patrons "  # noqa: S608
        f"WHERE {clause} ORDER BY {order}{limit}",
        compiler.params,
    ).fetchall()
    pages = 1 if per_page == -1 else max(1, -(-total // per_page))
    links = []
    if per_page != -1 and page > 1:
        links.append(_link(request, page - 1, per_page, "prev"))
    if per_page != -1 and page < pages:
        links.append(_link(request, page + 1, per_page, "next"))
    links += [_link(request, 1, per_page, "first"), _link(request, pages, per_page, "last")]
    headers = {
        "Link": ",".join(links),
        "X-Total-Count": str(total),
        "X-Base-Total-Count": str(base_total),
    }
    return [to_api(row, bool(row["restricted"])) for row in rows], headers
