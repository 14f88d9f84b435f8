"""OneRoster 1.2 REST client: OAuth2 client credentials, paged collections, gradebook writes.

The one OneRoster client: library provisioning, the probe, grade passback and the roster sync
all read and write through it. The token is fetched on first use (one fetch however many calls
wait for it) and again shortly before it expires; after a 401 the client re-reads its
``CredentialSource`` (the secret may have been rotated), fetches a new token and retries that
call once. Collections page with ``limit``/``offset``; ``page()`` returns one page of models with
the next offset and the total (one activity = one page), ``iterate``/``iter_*`` follow
``Link: next``, and ``raw_page()`` gives a bulk reader the undecoded body (``page_records``
turns it into plain dicts). Every method is a catalog action (connectors/actions.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import structlog

from connectors.actions import action, authenticating
from connectors.credentials import CredentialSource
from connectors.errors import AuthError, MalformedResponse, ServerError
from connectors.http import HttpConnector
from connectors.oneroster import models
from connectors.oneroster.endpoints import ENDPOINTS, collection_path, endpoint
from connectors.oneroster.errors import SYSTEM, error_for
from connectors.oneroster.iterators import TypedIterators
from connectors.oneroster.pages import Page, parse_page, query_params, total_of

log = structlog.get_logger("connector")
SCOPE_PREFIX = "https://purl.imsglobal.org/spec/or/v1p2/scope/"
DEFAULT_SCOPES = (
    SCOPE_PREFIX + "roster.readonly",
    SCOPE_PREFIX + "gradebook.readonly",
    SCOPE_PREFIX + "gradebook.createput",
    SCOPE_PREFIX + "gradebook.delete",
)


class OneRosterClient(TypedIterators, HttpConnector):
    system = SYSTEM

    def __init__(
        self,
        base_url: str,
        credentials: CredentialSource,
        *,
        scopes: Sequence[str] = DEFAULT_SCOPES,
        timeout: float = 60.0,  # a page of 10,000 records takes a SIS a while
        transport: httpx.AsyncBaseTransport | None = None,
        token_url: str | None = None,
    ) -> None:
        super().__init__(base_url, timeout=timeout, transport=transport)
        self._credentials = credentials
        self.scopes = tuple(scopes)
        self.token_url = token_url or f"{self.base_url}/oauth/token"
        self._token: str | None = None
        self._token_expires = 0.0
        self._token_lock = asyncio.Lock()

    # -- authentication --

    async def _fetch_token(self) -> None:
        creds = await self._credentials()
        client_id, secret = creds.get("client_id", ""), creds.get("client_secret", "")
        if not client_id or not secret:
            raise AuthError(f"{SYSTEM}: credentials lack client_id/client_secret", system=SYSTEM)
        data = {"grant_type": "client_credentials", "scope": " ".join(self.scopes)}
        try:
            with authenticating(SYSTEM):
                response = await self._client.post(
                    self.token_url, data=data, auth=httpx.BasicAuth(client_id, secret)
                )
        except httpx.TimeoutException as exc:
            raise ServerError(f"{SYSTEM}: timeout fetching a token", system=SYSTEM) from exc
        except httpx.TransportError as exc:
            raise ServerError(
                f"{SYSTEM}: token endpoint unreachable: {exc}", system=SYSTEM
            ) from exc
        log.debug(
            "http", system=SYSTEM, method="POST", url=self.token_url, status=response.status_code
        )
        if response.status_code in (400, 401):
            error = error_for(response)
            raise AuthError(
                f"{SYSTEM}: token refused ({response.status_code}): {error.message}",
                status=response.status_code,
                system=SYSTEM,
            )
        if response.status_code >= 300:
            raise error_for(response)
        try:
            body = response.json()
            token, lifetime = str(body["access_token"]), float(body.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError) as exc:
            raise MalformedResponse(f"{SYSTEM}: token answer unreadable", system=SYSTEM) from exc
        # Refresh a little early so a token never expires between our check and the call.
        self._token = token
        self._token_expires = time.monotonic() + lifetime - min(30.0, lifetime / 10)

    async def _ensure_token(self, *, force: bool = False, stale: str | None = None) -> str:
        async with self._token_lock:
            # After a 401 only the first waiter refreshes; the others reuse its new token.
            outdated = self._token is None or time.monotonic() >= self._token_expires
            if outdated or (force and self._token == stale):
                await self._fetch_token()
            assert self._token is not None
            return self._token

    async def _auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self._ensure_token()}"}

    def _raise_for(self, response: httpx.Response) -> None:
        error = error_for(response)
        if response.status_code == 429:
            self.slow_down(getattr(error, "retry_after", 1.0))
        raise error

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        used = self._token
        try:
            return await self._request(method, path, **kwargs)
        except AuthError as exc:
            if exc.status != 401:
                raise
        await self._ensure_token(force=True, stale=used)
        return await self._request(method, path, **kwargs)

    # -- reading --

    @action("oneroster.read_page", effect="read")
    async def page(
        self,
        name: str,
        *,
        offset: int = 0,
        limit: int = 100,
        parent: tuple[str, str] | None = None,
        filter: str | None = None,
        sort: str | None = None,
        order_by: str | None = None,
        fields: Sequence[str] | None = None,
    ) -> Page[Any]:
        """One page of a collection: records, per-record problems, next offset and total.

        ``name`` is a collection (``students``, ``classes``...); ``parent`` reaches a nested one
        (``("classes", "cls-1")`` for that class's students)."""
        params = query_params(offset, limit, filter, sort, order_by, fields)
        response = await self._call("GET", collection_path(name, parent), params=params)
        return parse_page(response, endpoint(name), offset)

    @action("oneroster.read_raw_page", effect="read")
    async def raw_page(
        self, name: str, *, offset: int, limit: int, filter: str | None = None
    ) -> tuple[bytes, int]:
        """One page of a collection in sourcedId order, undecoded, and the collection's total
        (-1 when the provider does not say): the bulk path of the roster sync.

        Decoding 10,000 records is CPU work a caller may move off the event loop;
        ``connectors.oneroster.pages.page_records`` turns the body into plain dicts."""
        params = query_params(offset, limit, filter, "sourcedId", None, None)
        response = await self._call("GET", collection_path(name), params=params)
        total = total_of(response)
        return response.content, -1 if total is None else total

    @action("oneroster.list_records", effect="read")
    async def iterate(
        self,
        name: str,
        *,
        parent: tuple[str, str] | None = None,
        filter: str | None = None,
        sort: str | None = None,
        order_by: str | None = None,
        fields: Sequence[str] | None = None,
        page_size: int = 100,
    ) -> AsyncIterator[Any]:
        """Every record of a collection, page by page; a malformed record raises."""
        offset: int | None = 0
        while offset is not None:
            page = await self.page(
                name,
                offset=offset,
                limit=page_size,
                parent=parent,
                filter=filter,
                sort=sort,
                order_by=order_by,
                fields=fields,
            )
            if page.malformed:
                raise page.malformed_error()
            for record in page.records:
                yield record
            offset = page.next_offset

    @action("oneroster.get_record", effect="read")
    async def get(self, name: str, sourced_id: str) -> Any:
        """One record of a collection by its sourcedId."""
        ep = endpoint(name)
        response = await self._call("GET", f"{ep.service}/{name}/{sourced_id}")
        try:
            raw = response.json()[ep.singular]
            return ep.model.model_validate(raw)
        except (ValueError, KeyError, TypeError) as exc:
            raise MalformedResponse(f"{SYSTEM}: {name}/{sourced_id}: {exc}", system=SYSTEM) from exc

    @action("oneroster.get_class", effect="read")
    async def get_class(self, sourced_id: str) -> models.Class:
        """One class (its course, school and terms) by its sourcedId."""
        found: models.Class = await self.get("classes", sourced_id)
        return found

    # -- gradebook writes (PUT is create-or-replace, so retries are safe) --

    async def _put(self, name: str, record: models.Base, read_back: bool) -> Any:
        ep = ENDPOINTS[name]
        path = f"{ep.service}/{name}/{record.sourced_id}"
        response = await self._call("PUT", path, json={ep.singular: record.to_wire()})
        if not response.content:  # 1.2's PUT answers 201 with no body
            # What was stored (the server fills dateLastModified, a line item's school), or,
            # when the caller does not need it, what was sent: one GET less per write.
            return await self.get(name, record.sourced_id) if read_back else record
        try:
            return ep.model.model_validate(response.json()[ep.singular])
        except (ValueError, KeyError, TypeError) as exc:
            raise MalformedResponse(f"{SYSTEM}: PUT {path}: {exc}", system=SYSTEM) from exc

    @action("oneroster.put_line_item", effect="write", key="item.sourced_id")
    async def put_line_item(self, item: models.LineItem, read_back: bool = True) -> models.LineItem:
        """Create or replace a gradebook line item (a graded assignment) under its sourcedId.

        ``read_back=False`` returns the item as sent instead of reading the stored one."""
        stored: models.LineItem = await self._put("lineItems", item, read_back)
        return stored

    @action("oneroster.put_result", effect="write", key="result.sourced_id")
    async def put_result(self, result: models.Result, read_back: bool = True) -> models.Result:
        """Create or replace one student's result for a line item under its sourcedId.

        ``read_back=False`` returns the result as sent instead of reading the stored one."""
        stored: models.Result = await self._put("results", result, read_back)
        return stored

    @action("oneroster.put_category", effect="write", key="category.sourced_id")
    async def put_category(
        self, category: models.Category, read_back: bool = True
    ) -> models.Category:
        """Create or replace a gradebook category under its sourcedId (a service implementing
        only lineItems and results answers NotFound)."""
        stored: models.Category = await self._put("categories", category, read_back)
        return stored

    @action("oneroster.put_score_scale", effect="write", key="scale.sourced_id")
    async def put_score_scale(
        self, scale: models.ScoreScale, read_back: bool = True
    ) -> models.ScoreScale:
        """Create or replace a score scale (text scores and the values they stand for) under
        its sourcedId (a service without score scales answers NotFound)."""
        stored: models.ScoreScale = await self._put("scoreScales", scale, read_back)
        return stored

    @action("oneroster.get_line_item", effect="read")
    async def get_line_item(self, sourced_id: str) -> models.LineItem:
        """One gradebook line item by its sourcedId."""
        item: models.LineItem = await self.get("lineItems", sourced_id)
        return item

    @action("oneroster.get_result", effect="read")
    async def get_result(self, sourced_id: str) -> models.Result:
        """One result by its sourcedId."""
        result: models.Result = await self.get("results", sourced_id)
        return result

    @action("oneroster.delete_line_item", effect="destructive")
    async def delete_line_item(self, sourced_id: str) -> None:
        """Delete a gradebook line item (a second delete answers NotFound)."""
        await self._call("DELETE", f"{ENDPOINTS['lineItems'].service}/lineItems/{sourced_id}")

    @action("oneroster.delete_result", effect="destructive")
    async def delete_result(self, sourced_id: str) -> None:
        """Delete a result (a second delete answers NotFound)."""
        await self._call("DELETE", f"{ENDPOINTS['results'].service}/results/{sourced_id}")

    # -- CSV --

    @action("oneroster.download_csv", effect="read")
    async def download_csv(self, *, since: str | None = None, path: str = "/csv/export") -> bytes:
        """The provider's OneRoster CSV zip: bulk, or delta of changes after ``since``."""
        params = {"type": "delta", "since": since} if since else {"type": "bulk"}
        response = await self._call("GET", path, params=params)
        if not response.content.startswith(b"PK"):
            raise MalformedResponse(f"{SYSTEM}: CSV export is not a zip file", system=SYSTEM)
        return response.content
