"""A REST connector configured entirely by a ``GenericApiConfig``.

``records(endpoint, **path_params)`` pages through an endpoint in the configured style and yields
each record mapped through the configured JMESPath field expressions. Statuses become the same
typed errors as every other connector; a page whose record path is not a list, or a record that
is not an object while fields are mapped, is a ``MalformedResponse`` naming the page.
"""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import httpx
import jmespath

from connectors.actions import authenticating
from connectors.credentials import CredentialSource
from connectors.errors import AuthError, InvalidRequest, MalformedResponse
from connectors.generic.config import EndpointConfig, GenericApiConfig
from connectors.http import HttpConnector

JSON_OPTIONS = jmespath.Options(dict_cls=dict)


class GenericApiClient(HttpConnector):
    def __init__(
        self,
        config: GenericApiConfig,
        credentials: CredentialSource,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(
            str(config.base_url),
            timeout=config.timeout,
            headers=config.headers,
            transport=transport,
        )
        self.system = config.name
        self.config = config
        self._credentials = credentials
        self._token: str | None = None
        self._token_expires = 0.0
        self._fetching_token = False

    async def _auth_headers(self) -> dict[str, str]:
        auth = self.config.auth
        if auth.scheme == "none" or self._fetching_token:
            return {}
        if auth.scheme == "oauth2_client_credentials":
            if self._token is None or time.monotonic() > self._token_expires - 30:
                await self._fetch_token()
            return {"Authorization": f"Bearer {self._token}"}
        secret = await self._credentials()
        if auth.scheme == "bearer":
            return {"Authorization": f"Bearer {secret.get('token', '')}"}
        if auth.scheme == "basic":
            pair = f"{secret.get('username', '')}:{secret.get('password', '')}".encode()
            return {"Authorization": f"Basic {base64.b64encode(pair).decode()}"}
        return {auth.header_name: secret.get("api_key", "")}

    async def _fetch_token(self) -> None:
        secret, auth = await self._credentials(), self.config.auth
        form = {
            "grant_type": "client_credentials",
            "client_id": secret.get("client_id", ""),
            "client_secret": secret.get("client_secret", ""),
            **({"scope": auth.scope} if auth.scope else {}),
        }
        self._fetching_token = True
        try:
            with authenticating(self.system):  # a token POST is no write to the system
                response = await super()._request("POST", str(auth.token_url), data=form)
        finally:
            self._fetching_token = False
        body = self._json(response)
        if not isinstance(body, dict) or not body.get("access_token"):
            raise MalformedResponse(
                f"{self.system}: token answer without access_token", system=self.system
            )
        self._token = str(body["access_token"])
        self._token_expires = time.monotonic() + float(body.get("expires_in", 3600))

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return await super()._request(method, path, **kwargs)
        except AuthError as exc:
            if self._fetching_token or exc.status != 401:
                raise
            self._token = None  # every scheme re-reads the source on the retry
            return await super()._request(method, path, **kwargs)

    def _json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise MalformedResponse(
                f"{self.system}: {response.request.url.path} is not JSON", system=self.system
            ) from exc

    def _endpoint(self, name: str, path_params: dict[str, Any]) -> tuple[EndpointConfig, str]:
        endpoint = self.config.endpoints.get(name)
        if endpoint is None:
            raise InvalidRequest(
                f"{self.system}: no endpoint {name!r} in the config", system=self.system
            )
        missing = endpoint.path_parameters() - set(path_params)
        if missing:
            raise InvalidRequest(
                f"{self.system}: {name} needs {sorted(missing)}", system=self.system
            )
        path = endpoint.path.format_map({k: quote(str(v), safe="") for k, v in path_params.items()})
        return endpoint, path

    def _map(self, endpoint: EndpointConfig, record: Any, where: str) -> dict[str, Any]:
        if not isinstance(record, dict):
            raise MalformedResponse(
                f"{self.system}: {where} is not an object: {record!r:.80}", system=self.system
            )
        if not endpoint.fields:
            return record
        return {
            target: jmespath.search(expr, record, options=JSON_OPTIONS)
            for target, expr in endpoint.fields.items()
        }

    async def call(self, endpoint_name: str, *, json: Any = None, **path_params: Any) -> Any:
        """One request to an endpoint; returns the decoded JSON (``None`` for an empty body)."""
        endpoint, path = self._endpoint(endpoint_name, path_params)
        response = await self._request(endpoint.method, path, params=endpoint.query, json=json)
        return self._json(response) if response.content else None

    async def records(
        self, endpoint_name: str, **path_params: Any
    ) -> AsyncIterator[dict[str, Any]]:
        endpoint, path = self._endpoint(endpoint_name, path_params)
        paging = endpoint.pagination
        params: dict[str, Any] = dict(endpoint.query)
        if paging.style in ("page_number", "link_header"):
            params[paging.page_param] = paging.first_page
            if paging.size_param:
                params[paging.size_param] = paging.page_size
        elif paging.style == "offset_limit":
            params.update({paging.offset_param: 0, paging.limit_param: paging.page_size})
        elif paging.style == "cursor" and paging.size_param:
            params[paging.size_param] = paging.page_size
        url: str | None = path
        while url:
            # An empty mapping would wipe the query of a Link URL, so pass None instead.
            response = await self._request(endpoint.method, url, params=params or None)
            body = self._json(response)
            page = jmespath.search(endpoint.record_path, body, options=JSON_OPTIONS)
            if not isinstance(page, list):
                raise MalformedResponse(
                    f"{self.system}: {endpoint.record_path!r} of {response.request.url} "
                    "is not a list",
                    system=self.system,
                )
            for index, record in enumerate(page):
                yield self._map(endpoint, record, f"record {index} of {response.request.url}")
            url, params = self._next(paging.style, endpoint, response, body, page, path, params)

    def _next(
        self,
        style: str,
        endpoint: EndpointConfig,
        response: httpx.Response,
        body: Any,
        page: list[Any],
        path: str,
        params: dict[str, Any],
    ) -> tuple[str | None, dict[str, Any]]:
        paging = endpoint.pagination
        if style == "link_header":
            nxt = response.links.get("next", {}).get("url")
            return (nxt, {}) if nxt else (None, {})
        if style == "page_number" and len(page) >= paging.page_size:
            return path, {**params, paging.page_param: int(params[paging.page_param]) + 1}
        if style == "offset_limit" and len(page) >= paging.page_size:
            return path, {
                **params,
                paging.offset_param: int(params[paging.offset_param]) + len(page),
            }
        if style == "cursor":
            cursor = jmespath.search(str(paging.cursor_path), body, options=JSON_OPTIONS)
            if cursor:
                return path, {**params, paging.cursor_param: cursor}
        return None, {}
