"""Collection and single-record answers shared by every rostering and gradebook route.

A page is read with a deferred join: the inner query walks only the (sourcedId or sort) index to
find the page's rowids, the outer one reads those rows. That keeps ``limit=1000&offset=900000``
on a million enrollments in the tens of milliseconds. Rows arrive as JSON text and are joined
into the body as is, unless ``fields`` or an injected malformed record needs them parsed.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response

from sandbox.oneroster.errors import unknown_object
from sandbox.oneroster.query import ListParams, Where, parse_list_params
from sandbox.oneroster.runtime import Runtime
from sandbox.oneroster.schema import TABLES

JSON = "application/json"


def _links(request: Request, params: ListParams, total: int) -> str:
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("limit", "offset")]
    base = str(request.url.replace(query=""))
    limit, offset = params.limit, params.offset

    def link(rel: str, at: int) -> str:
        query = urlencode([*kept, ("limit", limit), ("offset", at)])
        return f'<{base}?{query}>; rel="{rel}"'

    last = max(0, (total - 1) // limit * limit)
    parts = [link("first", 0), link("last", last)]
    if offset + limit < total:
        parts.insert(0, link("next", offset + limit))
    if offset > 0:
        parts.append(link("prev", max(0, offset - limit)))
    return ", ".join(parts)


def origin(request: Request) -> str:
    """``scheme://host[:port]`` the client reached us by; stored hrefs are relative to it."""
    return f"{request.url.scheme}://{request.url.netloc}"


def absolute_hrefs(body: str, request: Request) -> bytes:
    """Stored GUIDRef hrefs start with the mount path; the schema wants absolute URIs."""
    return body.replace('"href":"/', f'"href":"{origin(request)}/').encode()


def list_params(request: Request, table_name: str) -> ListParams:
    query = request.query_params
    return parse_list_params(TABLES[table_name], query, query.getlist("fields"))


def _malform(record: dict[str, Any], rt: Runtime) -> dict[str, Any]:
    """Break one field the way real feeds break: a lost sourcedId or an unparseable date."""
    if rt.rng.random() < 0.5:
        record.pop("sourcedId", None)
    else:
        record["dateLastModified"] = "31/02/2026 25:61"
    return record


def _rows_to_json(rows: list[str], params: ListParams | None, rt: Runtime) -> list[str]:
    rate = rt.ctx.faults.malformed_rate
    fields = params.fields if params else None
    if not fields and not rate:
        return rows
    out = []
    for text in rows:
        if rate and rt.rng.random() < rate:
            record = _malform(json.loads(text), rt)
        elif fields:
            record = json.loads(text)
        else:
            out.append(text)
            continue
        if fields:
            record = {k: record[k] for k in fields if k in record}
        out.append(json.dumps(record, separators=(",", ":"), ensure_ascii=False))
    return out


def collection(
    request: Request,
    rt: Runtime,
    table_name: str,
    scope: Where | None = None,
    wrapper: str | None = None,
) -> Response:
    """One page of ``table_name`` limited to ``scope`` (the nested route's condition)."""
    table = TABLES[table_name]
    params = list_params(request, table_name)
    clauses = [w for w in (scope, params.where) if w and w.sql]
    where_sql = " AND ".join(w.sql for w in clauses) or "1"
    where_params = [p for w in clauses for p in w.params]
    direction = "DESC" if params.descending else "ASC"
    total = rt.count(f"SELECT count(*) FROM {table.name} WHERE {where_sql}", where_params)  # noqa: S608
    sort = params.sort_sql
    table_rows = rt.count(f"SELECT count(*) FROM {table.name}", [])  # noqa: S608
    if where_sql != "1" and total <= max(1000, table_rows // 20):
        # A selective filter (dateLastModified > last sync: 100 rows of a million). SQLite cannot
        # tell, and walks the sourcedId index to avoid sorting; "+col" is not indexable, so it
        # uses the filter's index instead and sorts the few matches.
        sort = f"+{sort}"
    order = (
        f"{sort} {direction}"
        if sort.lstrip("+") == "sourcedId"
        else (f"{sort} {direction}, sourcedId {direction}")
    )
    inner = f"SELECT rowid FROM {table.name} WHERE {where_sql} ORDER BY {order} LIMIT ? OFFSET ?"  # noqa: S608
    sql = (
        f"SELECT {rt.json_sql[table.name]} FROM {table.name} "  # noqa: S608
        f"WHERE rowid IN ({inner}) ORDER BY {order}"
    )
    conn = rt.conn()
    rows = [r[0] for r in conn.execute(sql, [*where_params, params.limit, params.offset])]
    body = f'{{"{wrapper or table.name}":[{",".join(_rows_to_json(rows, params, rt))}]}}'
    headers = {"X-Total-Count": str(total), "Link": _links(request, params, total)}
    return Response(absolute_hrefs(body, request), media_type=JSON, headers=headers)


def fetch_one(rt: Runtime, table_name: str, sourced_id: str, where: Where | None = None) -> str:
    """The stored JSON of one record, or the spec's 404 unknownobject."""
    table = TABLES[table_name]
    extra = f" AND {where.sql}" if where and where.sql else ""
    row = (
        rt.conn()
        .execute(
            f"SELECT {rt.json_sql[table_name]} FROM {table_name} WHERE sourcedId = ?{extra}",  # noqa: S608
            [sourced_id, *(where.params if where else [])],
        )
        .fetchone()
    )
    if row is None:
        raise unknown_object(table.singular, sourced_id)
    return str(row[0])


def single(
    request: Request,
    rt: Runtime,
    table_name: str,
    sourced_id: str,
    where: Where | None = None,
    wrapper: str | None = None,
) -> Response:
    table = TABLES[table_name]
    text = fetch_one(rt, table_name, sourced_id, where)
    fields = request.query_params.getlist("fields")
    params = parse_list_params(table, {}, fields) if fields else None
    record = _rows_to_json([text], params, rt)[0]
    body = f'{{"{wrapper or table.singular}":{record}}}'
    return Response(absolute_hrefs(body, request), media_type=JSON)


def require(rt: Runtime, table_name: str, sourced_id: str, where: Where | None = None) -> None:
    """404 unless the parent of a nested route exists."""
    fetch_one(rt, table_name, sourced_id, where)
