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
from dataclasses import dataclass
from typing import Any, Self, TypeVar

import httpx
import structlog
from pydantic import BaseModel, ValidationError

from connectors.actions import check_write, current_action
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


@dataclass(frozen=True, slots=True)
class Call:
    """One HTTP call as an observer sees it. ``action`` is the catalog action in progress (None:
    a read outside any action); ``status`` is None when no answer came (``error`` then says
    ``timeout`` or ``connection``); ``error`` is None for a success, else the status as text, or
    ``error_body`` for a 200 whose body says it failed (Moodle)."""

    system: str
    action: str | None
    method: str
    status: int | None
    seconds: float
    error: str | None


CallObserver = Callable[[Call], None]
_observer: CallObserver | None = None


def set_call_observer(observer: CallObserver | None) -> None:
    """Who hears of every HTTP call: the worker and the API install Atrium's metrics here
    (atrium/metrics/calls.py); connectors stay unaware of what records them."""
    global _observer
    _observer = observer


def _notify(call: Call) -> None:
    if _observer is None:
        return
    try:
        _observer(call)
    except Exception:  # a metric must never fail a call to a school's system
        log.exception("call observer failed", system=call.system)


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
        if method not in ("GET", "HEAD") and not check_write(self.system, f"{method} {path}"):
            log.warning("unlisted_write", system=self.system, method=method, path=path)
        await self._wait_turn()
        headers = {**(await self._auth_headers()), **kwargs.pop("headers", {})}
        started = time.perf_counter()
        try:
            response = await self._client.request(method, path, headers=headers, **kwargs)
        except httpx.TimeoutException as exc:
            self._told(method, None, started, "timeout")
            raise ServerError(
                f"{self.system}: timeout on {method} {path}", system=self.system
            ) from exc
        except httpx.TransportError as exc:
            self._told(method, None, started, "connection")
            raise ServerError(
                f"{self.system}: connection failed on {method} {path}: {exc}", system=self.system
            ) from exc
        status = response.status_code
        log.debug(
            "http",
            system=self.system,
            method=method,
            url=mask_url(response.request.url),
            status=status,
            ms=round((time.perf_counter() - started) * 1000, 1),
        )
        self._observe(response)
        error = (
            str(status)
            if status >= 400
            else "error_body"
            if self._is_error_body(response)
            else None
        )
        self._told(method, status, started, error)
        if error:
            self._raise_for(response)
        return response

    def _told(self, method: str, status: int | None, started: float, error: str | None) -> None:
        """Tell the installed observer (if any) of this call."""
        if _observer is not None:
            elapsed = time.perf_counter() - started
            _notify(Call(self.system, current_action(), method, status, elapsed, error))

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
