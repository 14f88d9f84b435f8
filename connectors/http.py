"""The one requester every HTTP connector builds on.

It owns an ``httpx.AsyncClient``, logs one line per call with secrets masked, turns transport
failures into ``ServerError``, and keeps a "not before" instant so that after a rate-limit answer
(or when the system says its budget is nearly spent) the next call waits instead of hammering.
Subclasses map statuses to typed errors in ``_raise_for``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any, Self, TypeVar

import httpx
import structlog
from pydantic import BaseModel, ValidationError

from connectors.credentials import CredentialSource
from connectors.errors import (
    AuthError,
    ConnectorError,
    InvalidRequest,
    MalformedResponse,
    NotFound,
    RateLimited,
    ServerError,
)

log = structlog.get_logger("connector")
M = TypeVar("M", bound=BaseModel)

SENSITIVE_PARAMS = {"wstoken", "access_token", "token", "client_secret", "password", "api_key"}


def mask_url(url: httpx.URL) -> str:
    """The URL as logged: sensitive query parameters replaced by ***."""
    params = [
        (k, "***" if k.lower() in SENSITIVE_PARAMS else v) for k, v in url.params.multi_items()
    ]
    return str(url.copy_with(params=params) if params else url)


TransportFactory = Callable[[httpx.Limits], httpx.AsyncBaseTransport]
_default_transport: TransportFactory | None = None


def set_default_transport(factory: TransportFactory | None) -> None:
    """The transport every connector built without one uses. The worker and the API install
    Atrium's egress guard here (atrium/egress.py), so each connection dials only an address the
    guard vetted; connectors stay unaware of what it checks."""
    global _default_transport
    _default_transport = factory


def default_transport(limits: httpx.Limits | None = None) -> httpx.AsyncBaseTransport | None:
    """The installed transport with these connection limits (httpx's defaults if None)."""
    if _default_transport is None:
        return None
    return _default_transport(
        limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
    )


def parse_retry_after(value: str | None, default: float = 1.0) -> float:
    if not value:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        return default


class HttpConnector:
    """Base class: one AsyncClient, one ``_request`` path, typed errors."""

    system = "http"

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 30.0,
        headers: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        max_connections: int = 20,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        limits = httpx.Limits(max_connections=max_connections)
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=timeout,
            headers=dict(headers or {}),
            transport=transport or default_transport(limits),
            limits=limits,
        )
        self._not_before = 0.0
        # Set by the caller to share a per-connection budget (requests/s, concurrency) with every
        # other worker; called around each request. Connectors stay unaware of what enforces it.
        self.gate: Callable[[], AbstractAsyncContextManager[object]] | None = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    def slow_down(self, seconds: float) -> None:
        """Make the next call wait at least ``seconds`` from now."""
        self._not_before = max(self._not_before, time.monotonic() + seconds)

    async def _wait_turn(self) -> None:
        delay = self._not_before - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)

    async def _auth_headers(self) -> dict[str, str]:
        """Headers that authenticate a call; subclasses override."""
        return {}

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if self.gate is None:
            return await self._send(method, path, **kwargs)
        async with self.gate():
            return await self._send(method, path, **kwargs)

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        await self._wait_turn()
        headers = {**(await self._auth_headers()), **kwargs.pop("headers", {})}
        started = time.perf_counter()
        try:
            response = await self._client.request(method, path, headers=headers, **kwargs)
        except httpx.TimeoutException as exc:
            raise ServerError(
                f"{self.system}: timeout on {method} {path}", system=self.system
            ) from exc
        except httpx.TransportError as exc:
            raise ServerError(
                f"{self.system}: connection failed on {method} {path}: {exc}", system=self.system
            ) from exc
        log.debug(
            "http",
            system=self.system,
            method=method,
            url=mask_url(response.request.url),
            status=response.status_code,
            ms=round((time.perf_counter() - started) * 1000, 1),
        )
        self._observe(response)
        if response.status_code >= 400 or self._is_error_body(response):
            self._raise_for(response)
        return response

    def _observe(self, response: httpx.Response) -> None:
        """Look at rate-limit headers on every answer; subclasses refine."""

    def _is_error_body(self, response: httpx.Response) -> bool:
        return False

    def _decode(self, response: httpx.Response) -> Any:
        """The JSON body, or ``MalformedResponse`` naming the call when it is not JSON."""
        try:
            return response.json()
        except ValueError as exc:
            raise MalformedResponse(
                f"{self.system}: {response.request.url.path} answered non-JSON: "
                f"{response.text[:200]!r}",
                status=response.status_code,
                system=self.system,
            ) from exc

    def _parse(self, model: type[M], data: Any, where: str) -> M:
        """``data`` as ``model``, or ``MalformedResponse`` saying where and what is wrong."""
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise MalformedResponse(
                f"{self.system}: {where} is not a valid {model.__name__}: {exc.errors()[:3]}",
                system=self.system,
            ) from exc

    def _raise_for(self, response: httpx.Response) -> None:
        status = response.status_code
        text = response.text[:500]
        where = f"{response.request.method} {response.request.url.path}"
        msg = f"{self.system}: {where} -> {status}: {text}"
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            self.slow_down(retry_after)
            raise RateLimited(msg, retry_after=retry_after, status=status, system=self.system)
        if status in (401, 403):
            raise AuthError(msg, status=status, system=self.system)
        if status == 404:
            raise NotFound(msg, status=status, system=self.system)
        if status >= 500:
            raise ServerError(msg, status=status, system=self.system)
        if status >= 400:
            raise InvalidRequest(msg, status=status, system=self.system)
        raise ConnectorError(msg, status=status, system=self.system)


class ApiKeyConnector(HttpConnector):
    """A connector that sends the secret's ``api_key`` as a bearer token, and re-reads it once
    after a 401/403 (the key may have been rotated in Vault)."""

    def __init__(
        self,
        base_url: str,
        credentials: CredentialSource,
        *,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(
            base_url, timeout=timeout, transport=transport, headers={"Accept": "application/json"}
        )
        self._credentials = credentials
        self._api_key: str | None = None

    async def _auth_headers(self) -> dict[str, str]:
        if self._api_key is None:
            self._api_key = (await self._credentials()).get("api_key", "")
        return {"Authorization": f"Bearer {self._api_key}"}

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return await super()._request(method, path, **kwargs)
        except AuthError:
            self._api_key = None
            return await super()._request(method, path, **kwargs)
