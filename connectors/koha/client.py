"""Koha REST API v1 client: OAuth2 client credentials, patrons, restrictions.

``base_url`` is the Koha root (``https://library.example.edu``); the API lives under
``/api/v1``. Credentials are ``{"client_id", "client_secret"}`` of a Koha API key whose patron
has the ``borrowers`` permissions. Tokens are cached until shortly before they expire; a 401 on
a cached token drops it, re-reads the credential source (the key may have been rotated) and
retries the call once.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from connectors.actions import action
from connectors.credentials import CredentialSource
from connectors.errors import AuthError, Conflict, MalformedResponse, ServerError
from connectors.http import HttpConnector
from connectors.koha.models import Patron, PatronWrite, Restriction, RestrictionCreate

M = TypeVar("M", bound=BaseModel)
API = "/api/v1"
TOKEN_MARGIN = 30.0  # renew a token this many seconds before Koha says it expires


class KohaClient(HttpConnector):
    system = "koha"

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
        self._token: str | None = None
        self._token_expires = 0.0
        self._token_lock = asyncio.Lock()

    # --- authentication -------------------------------------------------------------------

    async def _auth_headers(self) -> dict[str, str]:
        # One token fetch at a time: concurrent calls wait for it instead of going out bare.
        async with self._token_lock:
            if self._token is None or time.monotonic() > self._token_expires - TOKEN_MARGIN:
                await self._fetch_token()
        return {"Authorization": f"Bearer {self._token}"}

    async def _fetch_token(self) -> None:
        secret = await self._credentials()
        try:
            response = await self._client.post(
                f"{API}/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": secret.get("client_id", ""),
                    "client_secret": secret.get("client_secret", ""),
                },
            )
        except httpx.TransportError as exc:
            raise ServerError(f"koha: token request failed: {exc}", system=self.system) from exc
        self._observe(response)
        if response.status_code >= 400:
            self._raise_for(response)
        body = self._json(response)
        if not isinstance(body, dict) or not body.get("access_token"):
            raise MalformedResponse("koha: token answer without access_token", system=self.system)
        self._token = str(body["access_token"])
        self._token_expires = time.monotonic() + float(body.get("expires_in", 3600))

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return await super()._request(method, path, **kwargs)
        except AuthError as exc:
            if exc.status != 401:
                raise
            self._token = None  # revoked or rotated: re-read the secret and try once more
            return await super()._request(method, path, **kwargs)

    def _raise_for(self, response: httpx.Response) -> None:
        if response.status_code == 409:
            body = self._json(response, strict=False)
            conflict = body.get("conflict") if isinstance(body, dict) else None
            raise Conflict(
                f"koha: {response.request.url.path} -> 409 duplicate {conflict}: "
                f"{response.text[:300]}",
                status=409,
                system=self.system,
            )
        super()._raise_for(response)

    # --- parsing --------------------------------------------------------------------------

    def _json(self, response: httpx.Response, *, strict: bool = True) -> Any:
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            if not strict:
                return None
            raise MalformedResponse(
                f"koha: {response.request.url.path} answered non-JSON: {response.text[:200]!r}",
                status=response.status_code,
                system=self.system,
            ) from exc

    # --- patrons --------------------------------------------------------------------------

    @action("koha.list_patrons", effect="read")
    async def list_patrons(
        self,
        query: Mapping[str, Any] | list[Any] | None = None,
        *,
        per_page: int = 50,
        order_by: str | None = "+patron_id",
        filters: Mapping[str, str] | None = None,
    ) -> AsyncIterator[Patron]:
        """Every patron matching ``query`` (Koha ``q`` syntax), page by page via ``Link``."""
        params: dict[str, Any] = {"_per_page": per_page, "_page": 1, **(filters or {})}
        if query is not None:
            params["q"] = json.dumps(query)
        if order_by:
            params["_order_by"] = order_by
        url: str | None = f"{API}/patrons"
        request_params: dict[str, Any] | None = params
        while url:
            response = await self._request("GET", url, params=request_params)
            page = self._json(response)
            if not isinstance(page, list):
                raise MalformedResponse("koha: patron list is not an array", system=self.system)
            for index, record in enumerate(page):
                yield self._parse(Patron, record, f"patron #{index} of {response.request.url}")
            url, request_params = response.links.get("next", {}).get("url"), None

    @action("koha.find_patron_by_cardnumber", effect="read")
    async def find_patron_by_cardnumber(self, cardnumber: str) -> Patron | None:
        """The patron with library card ``cardnumber`` (the school's person number), if any."""
        async for patron in self.list_patrons({"cardnumber": cardnumber}, per_page=2):
            return patron
        return None

    @action("koha.get_patron", effect="read")
    async def get_patron(self, patron_id: int) -> Patron:
        """One patron by Koha's id."""
        response = await self._request("GET", f"{API}/patrons/{patron_id}")
        return self._parse(Patron, self._json(response), f"patron {patron_id}")

    @action("koha.create_patron", effect="write", key="patron.cardnumber")
    async def create_patron(self, patron: PatronWrite) -> Patron:
        """Create a patron; ``Conflict`` when its cardnumber or userid already exists."""
        response = await self._request(
            "POST", f"{API}/patrons", json=patron.model_dump(mode="json", exclude_none=True)
        )
        return self._parse(Patron, self._json(response), "created patron")

    @action("koha.update_patron", effect="write", idempotent=True)
    async def update_patron(self, patron_id: int, patron: PatronWrite) -> Patron:
        """Replace the given fields of a patron (a PUT of the fields set: safe to repeat)."""
        response = await self._request(
            "PUT",
            f"{API}/patrons/{patron_id}",
            json=patron.model_dump(mode="json", exclude_unset=True),
        )
        return self._parse(Patron, self._json(response), f"patron {patron_id}")

    @action("koha.delete_patron", effect="destructive")
    async def delete_patron(self, patron_id: int) -> None:
        """Delete a patron and its record (its loans and fines history with it)."""
        await self._request("DELETE", f"{API}/patrons/{patron_id}")

    # --- restrictions (see sandbox/koha/restrictions.py for where this route comes from) ---

    @action("koha.list_restrictions", effect="read")
    async def list_restrictions(self, patron_id: int) -> list[Restriction]:
        """The borrowing restrictions (debarments) of a patron."""
        response = await self._request("GET", f"{API}/patrons/{patron_id}/restrictions")
        body = self._json(response)
        if not isinstance(body, list):
            raise MalformedResponse("koha: restriction list is not an array", system=self.system)
        return [self._parse(Restriction, r, f"restriction of patron {patron_id}") for r in body]

    @action("koha.add_restriction", effect="write")
    async def add_restriction(self, patron_id: int, restriction: RestrictionCreate) -> Restriction:
        """Restrict a patron's borrowing; each call adds one more restriction."""
        response = await self._request(
            "POST",
            f"{API}/patrons/{patron_id}/restrictions",
            json=restriction.model_dump(mode="json", exclude_none=True),
        )
        return self._parse(Restriction, self._json(response), "created restriction")

    @action("koha.lift_restriction", effect="destructive")
    async def lift_restriction(self, patron_id: int, restriction_id: int) -> None:
        """Remove one borrowing restriction of a patron."""
        await self._request("DELETE", f"{API}/patrons/{patron_id}/restrictions/{restriction_id}")
