"""The one Canvas requester: bearer auth with re-read after a 401, throttle-aware pacing, typed
errors, and pages followed through ``Link: rel="next"``.

Canvas meters each token with a leaky bucket and reports what is left in
``X-Rate-Limit-Remaining``; a request arriving at a full bucket gets ``403 Forbidden (Rate Limit
Exceeded)`` (no Retry-After). So the requester slows down *before* the bucket is full, and after a
rate-limit answer it waits ``throttle_pause`` so the next call is not refused again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel

from connectors.credentials import CredentialSource
from connectors.errors import AuthError, Conflict, MalformedResponse, RateLimited
from connectors.http import HttpConnector, parse_retry_after

M = TypeVar("M", bound=BaseModel)

DEFAULT_PER_PAGE = 100  # Canvas' maximum


def sis(kind: str, value: str) -> str:
    """A SIS-id reference usable in a URL, e.g. ``sis("user", "S1")`` -> ``sis_user_id:S1``."""
    return f"sis_{kind}_id:{quote(value, safe='')}"


def ref(value: int | str) -> str:
    """A path segment from a Canvas id, ``self``, or a reference built by ``sis()``."""
    return str(value)


class CanvasRequester(HttpConnector):
    system = "canvas"

    def __init__(
        self,
        base_url: str,
        credentials: CredentialSource,
        *,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        low_remaining: float = 200.0,
        throttle_pause: float = 1.0,
    ) -> None:
        """``base_url`` is the Canvas host (``https://school.instructure.com``), without /api/v1."""
        super().__init__(base_url, timeout=timeout, transport=transport)
        self._credentials = credentials
        self._token: str | None = None
        self.low_remaining = low_remaining
        self.throttle_pause = throttle_pause
        self.rate_limit_remaining: float | None = None

    async def _auth_headers(self) -> dict[str, str]:
        if self._token is None:
            secret = await self._credentials()
            token = secret.get("token")
            if not token:
                raise AuthError("canvas: the credential source has no 'token'", system=self.system)
            self._token = token
        return {"Authorization": f"Bearer {self._token}"}

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One API call; after a 401 the credentials are read again once (they may have rotated)."""
        url = path if path.startswith("http") else f"/api/v1{path}"
        try:
            return await self._request(method, url, **kwargs)
        except AuthError as exc:
            if exc.status != 401:
                raise
            self._token = None
            return await self._request(method, url, **kwargs)

    def _observe(self, response: httpx.Response) -> None:
        remaining = response.headers.get("X-Rate-Limit-Remaining")
        if remaining is None:
            return
        try:
            self.rate_limit_remaining = float(remaining)
        except ValueError:
            return
        if self.rate_limit_remaining < self.low_remaining:
            # The emptier the bucket, the longer the pause: it leaks while we wait.
            shortfall = 1.0 - self.rate_limit_remaining / self.low_remaining
            self.slow_down(self.throttle_pause * shortfall)

    def _raise_for(self, response: httpx.Response) -> None:
        status, text = response.status_code, response.text[:500]
        msg = f"canvas: {response.request.method} {response.request.url.path} -> {status}: {text}"
        if status == 403 and "Rate Limit Exceeded" in text:
            retry_after = parse_retry_after(
                response.headers.get("Retry-After"), self.throttle_pause
            )
            self.slow_down(retry_after)
            raise RateLimited(msg, retry_after=retry_after, status=status, system=self.system)
        if status in (400, 409, 422) and '"taken"' in text:
            raise Conflict(msg, status=status, system=self.system)
        super()._raise_for(response)

    async def _one(self, model: type[M], method: str, path: str, **kwargs: Any) -> M:
        response = await self._call(method, path, **kwargs)
        return self._parse(model, self._decode(response), f"{method} {path}")

    async def _pages(
        self,
        model: type[M],
        path: str,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
    ) -> AsyncIterator[M]:
        """Every record of a list endpoint, page after page, following ``rel="next"``."""
        query = list(params.items()) if isinstance(params, Mapping) else list(params or [])
        if not any(key == "per_page" for key, _ in query):
            query.append(("per_page", DEFAULT_PER_PAGE))
        url: str | None = path
        kwargs: dict[str, Any] = {"params": query}
        while url is not None:
            response = await self._call("GET", url, **kwargs)
            records = self._decode(response)
            if not isinstance(records, list):
                raise MalformedResponse(f"canvas: {path} did not answer a list", system=self.system)
            for index, record in enumerate(records):
                yield self._parse(model, record, f"record {index} of {response.request.url.path}")
            url = response.links.get("next", {}).get("url")
            kwargs = {}  # the next link carries the query string already
