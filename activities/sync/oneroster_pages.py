"""Raw pages of a OneRoster 1.2 service, as the sync engine's mappings consume them.

The sync engine maps the wire JSON itself (declarative mappings stored in the database apply to
the OneRoster fields), so it needs pages of plain dicts and ``X-Total-Count``, not typed models:
this is the smallest reader that gives that, on the shared ``HttpConnector`` requester (typed
errors, masked logging). Tokens come from the OAuth2 client-credentials endpoint with the
integration's secret and are fetched again after a 401 (a rotated secret is picked up).
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from connectors.credentials import CredentialSource
from connectors.errors import AuthError, MalformedResponse
from connectors.http import HttpConnector

ROSTERING = "/ims/oneroster/rostering/v1p2"
GRADEBOOK = "/ims/oneroster/gradebook/v1p2"
SCOPES = " ".join(
    "https://purl.imsglobal.org/spec/or/v1p2/scope/" + s
    for s in ("roster.readonly", "gradebook.readonly", "gradebook.createput")
)


class OneRosterPages(HttpConnector):
    system = "oneroster"

    def __init__(
        self, base_url: str, credentials: CredentialSource, *, timeout: float = 60.0
    ) -> None:
        super().__init__(base_url, timeout=timeout)
        self._credentials = credentials
        self._token: str | None = None

    async def _fetch_token(self) -> str:
        secret = await self._credentials()
        client_id, client_secret = secret.get("client_id"), secret.get("client_secret")
        if not client_id or not client_secret:
            raise AuthError(
                "oneroster: the secret needs client_id and client_secret", system=self.system
            )
        response = await self._client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials", "scope": SCOPES},
            auth=(client_id, client_secret),
        )
        if response.status_code == 429 or response.status_code >= 500:
            self._raise_for(response)  # the token service is busy or down: transient
        if response.status_code != 200:
            raise AuthError(
                f"oneroster: token refused ({response.status_code})", system=self.system
            )
        return str(response.json()["access_token"])

    async def _auth_headers(self) -> dict[str, str]:
        if self._token is None:
            self._token = await self._fetch_token()
        return {"Authorization": f"Bearer {self._token}"}

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return await self._request(method, path, **kwargs)
        except AuthError as exc:
            if exc.status != 401:
                raise
            self._token = None  # expired or rotated: one fresh token, then give up
            return await self._request(method, path, **kwargs)

    async def page(
        self, collection: str, *, offset: int, limit: int, filter: str | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of ``collection`` in sourcedId order, and the collection's total."""
        body, total = await self.raw_page(collection, offset=offset, limit=limit, filter=filter)
        return parse_page(collection, body), total

    async def raw_page(
        self, collection: str, *, offset: int, limit: int, filter: str | None = None
    ) -> tuple[bytes, int]:
        """The page's undecoded body (decoding 10,000 records is CPU work callers may move off
        the event loop) and the collection's total."""
        params: dict[str, Any] = {"limit": limit, "offset": offset, "sort": "sourcedId"}
        if filter:
            params["filter"] = filter
        response = await self.call("GET", f"{ROSTERING}/{collection}", params=params)
        try:
            total = int(response.headers.get("X-Total-Count", "-1"))
        except ValueError as exc:
            raise MalformedResponse(
                f"oneroster: bad X-Total-Count: {exc}", system=self.system
            ) from exc
        return response.content, total

    async def one(self, collection: str, singular: str, sourced_id: str) -> dict[str, Any]:
        response = await self.call("GET", f"{ROSTERING}/{collection}/{sourced_id}")
        return dict(response.json()[singular])

    async def put_gradebook(self, collection: str, singular: str, record: dict[str, Any]) -> None:
        """Idempotent PUT keyed by the record's sourcedId (lineItems, results)."""
        await self.call(
            "PUT", f"{GRADEBOOK}/{collection}/{record['sourcedId']}", json={singular: record}
        )

    async def get_gradebook(
        self, collection: str, singular: str, sourced_id: str
    ) -> dict[str, Any]:
        response = await self.call("GET", f"{GRADEBOOK}/{collection}/{sourced_id}")
        return dict(response.json()[singular])


def parse_page(collection: str, body: bytes) -> list[dict[str, Any]]:
    try:
        records = json.loads(body)[collection]
    except (ValueError, KeyError, TypeError) as exc:
        raise MalformedResponse(
            f"oneroster: {collection} page unreadable: {exc}", system="oneroster"
        ) from exc
    if not isinstance(records, list):
        raise MalformedResponse(f"oneroster: {collection} is not a list", system="oneroster")
    return records
