"""Canvas pagination: ``page`` and ``per_page`` (default 10, max 100) with an RFC 5988"
" Link header."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from sandbox.context import SystemContext

DEFAULT_PER_PAGE = 10
MAX_PER_PAGE = 100

_rng = random.Random()


def _positive_int(value: str | None, default: int) -> int:
    try:
        number = int(value) if value is not None else default
    except ValueError:
        return default
    return number if number > 0 else default


def page_window(request: Request) -> tuple[int, int]:
    per_page = min(
        _positive_int(request.query_params.get("per_page"), DEFAULT_PER_PAGE), MAX_PER_PAGE
    )
    page = _positive_int(request.query_params.get("page"), 1)
    return page, per_page


def link_header(request: Request, page: int, per_page: int, total: int) -> str:
    last = max(1, -(-total // per_page))

    def url(number: int) -> str:
        return str(request.url.include_query_params(page=number, per_page=per_page))

    links = [(url(page), "current")]
    if page < last:
        links.append((url(page + 1), "next"))
    if page > 1:
        links.append((url(page - 1), "prev"))
    links += [(url(1), "first"), (url(last), "last")]
    return ",".join(f'<{u}>; rel="{rel}"' for u, rel in links)


def malform(records: list[dict[str, Any]], ctx: SystemContext) -> list[dict[str, Any]]:
    """Injected fault: some records lose their ``id``, as a broken upstream might send."""
    rate = ctx.faults.malformed_rate
    if rate:
        for record in records:
            if _rng.random() < rate:
                record.pop("id", None)
    return records


def paginated(
    request: Request,
    ctx: SystemContext,
    conn: sqlite3.Connection,
    *,
    select: str,
    from_where: str,
    args: Sequence[Any],
    order_by: str,
    render: Callable[[sqlite3.Row], dict[str, Any]],
    keys: tuple[str, str] | None = None,
) -> JSONResponse:
    """Run one page of ``SELECT select FROM from_where`` and answer it the way Canvas does.

    ``keys`` is ``(key column, cheaper FROM ... WHERE)`` selecting the same rows without the
    joins only rendering needs: the count and the page's keys come from it, and only the page's
    rows are joined (``from_where`` must then end in a WHERE clause). Without it, every row
    before the offset is joined again on every page, which is quadratic at 200,000 users.
    """
    page, per_page = page_window(request)
    window = [per_page, (page - 1) * per_page]
    counted = keys[1] if keys else from_where
    total = conn.execute(f"SELECT COUNT(*) FROM {counted}", args).fetchone()[0]  # noqa: S608
    if keys is None:
        rows = conn.execute(
            f"SELECT {select} FROM {from_where} ORDER BY {order_by} LIMIT ? OFFSET ?",  # noqa: S608
            [*args, *window],
        ).fetchall()
    else:
        key, narrow = keys
        rows = conn.execute(
            f"SELECT {select} FROM {from_where} AND {key} IN"  # noqa: S608
            f" (SELECT {key} FROM {narrow} ORDER BY {order_by} LIMIT ? OFFSET ?)"
            f" ORDER BY {order_by}",
            [*args, *args, *window],
        ).fetchall()
    body = malform([render(row) for row in rows], ctx)
    return JSONResponse(body, headers={"Link": link_header(request, page, per_page, total)})


def paginated_list(
    request: Request, ctx: SystemContext, records: list[dict[str, Any]]
) -> JSONResponse:
    """Paginate a list already in memory (small collections such as logins)."""
    page, per_page = page_window(request)
    chunk = records[(page - 1) * per_page : page * per_page]
    return JSONResponse(
        malform(chunk, ctx), headers={"Link": link_header(request, page, per_page, len(records))}
    )
