"""One page of a OneRoster collection: validated record by record, or raw for bulk readers.

The whole page is validated in one pass (fast); only if that fails is each record validated on
its own, so a broken record is reported with its position and reason while its neighbours are
still returned. A bulk reader (the roster sync maps the wire JSON itself, 10,000 records a page)
takes the undecoded body and ``page_records`` instead: plain dicts, no models.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import httpx
from pydantic import TypeAdapter, ValidationError

from connectors.errors import MalformedResponse
from connectors.oneroster import models
from connectors.oneroster.endpoints import Endpoint, endpoint
from connectors.oneroster.errors import SYSTEM

T = TypeVar("T", bound=models.Base)
NEXT_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?next"?')
_adapters: dict[type[models.Base], TypeAdapter[Any]] = {}


@dataclass(frozen=True)
class MalformedRecord:
    index: int  # position in the collection (offset + index in page)
    sourced_id: str | None
    error: str
    raw: Any


@dataclass
class Page(Generic[T]):
    records: list[T]
    offset: int
    total: int | None  # X-Total-Count, when the provider sends it
    next_offset: int | None  # None on the last page
    malformed: list[MalformedRecord] = field(default_factory=list)

    def malformed_error(self) -> MalformedResponse:
        first = self.malformed[0]
        return MalformedResponse(
            f"{SYSTEM}: {len(self.malformed)} malformed record(s) in page at offset {self.offset}; "
            f"first at #{first.index} (sourcedId={first.sourced_id}): {first.error}",
            system=SYSTEM,
        )


def query_params(
    offset: int,
    limit: int,
    filter: str | None,
    sort: str | None,
    order_by: str | None,
    fields: Sequence[str] | None,
) -> dict[str, str]:
    params = {"limit": str(limit), "offset": str(offset)}
    if filter:
        params["filter"] = filter
    if sort:
        params["sort"] = sort
    if order_by:
        params["orderBy"] = order_by
    if fields:
        params["fields"] = ",".join(fields)
    return params


def _next_offset(
    response: httpx.Response, offset: int, count: int, total: int | None
) -> int | None:
    link = response.headers.get("Link", "")
    if link:
        match = NEXT_LINK.search(link)
        if not match:
            return None
        next_params = httpx.URL(match[1]).params
        return int(next_params.get("offset", offset + count))
    # No Link header: fall back on the total, then on a short page.
    if total is not None:
        return offset + count if offset + count < total else None
    return offset + count if count else None


def records_of(body: bytes, ep: Endpoint, where: str) -> list[Any]:
    """The records of a collection answer (``{"users": [...]}``), undecoded into models."""
    try:
        raw = json.loads(body)[ep.wrapper]
        if not isinstance(raw, list):
            raise TypeError(f"{ep.wrapper!r} is not a list")
    except (ValueError, KeyError, TypeError) as exc:
        raise MalformedResponse(
            f"{SYSTEM}: {where}: no {ep.wrapper!r} collection: {exc}", system=SYSTEM
        ) from exc
    return raw


def page_records(name: str, body: bytes) -> list[dict[str, Any]]:
    """The records of a raw page of collection ``name`` (``OneRosterClient.raw_page``) as the
    wire has them: the roster sync's mappings apply to the OneRoster fields themselves."""
    return records_of(body, endpoint(name), name)


def total_of(response: httpx.Response) -> int | None:
    """X-Total-Count, when the provider sends it."""
    header = response.headers.get("X-Total-Count")
    return int(header) if header and header.isdigit() else None


def parse_page(response: httpx.Response, ep: Endpoint, offset: int) -> Page[Any]:
    raw = records_of(response.content, ep, response.request.url.path)
    total = total_of(response)
    adapter = _adapters.setdefault(ep.model, TypeAdapter(list[ep.model]))  # type: ignore[name-defined]
    malformed: list[MalformedRecord] = []
    try:
        records = adapter.validate_python(raw)
    except ValidationError:
        records = []
        for i, item in enumerate(raw):
            try:
                records.append(ep.model.model_validate(item))
            except ValidationError as exc:
                sid = item.get("sourcedId") if isinstance(item, dict) else None
                reason = "; ".join(
                    f"{'.'.join(str(p) for p in e['loc']) or 'record'}: {e['msg']}"
                    for e in exc.errors()
                )
                malformed.append(MalformedRecord(offset + i, sid, reason, item))
    return Page(
        records=records,
        offset=offset,
        total=total,
        next_offset=_next_offset(response, offset, len(raw), total),
        malformed=malformed,
    )
