"""Canvas user profile updates: ``PUT /api/v1/users/sis_user_id:<id>``.

Deliberately small: the one call the ``profile-update`` process needs, on the shared
``HttpConnector`` (typed errors, masked logging). Setting a field to a value is idempotent, so
a retried call is harmless. The full Canvas connector lives in ``connectors/canvas``.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from connectors.credentials import CredentialSource
from connectors.errors import AuthError, MalformedResponse
from connectors.http import HttpConnector


class CanvasProfile(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: int
    name: str
    short_name: str | None = None
    email: str | None = None
    sis_user_id: str | None = None


class CanvasProfileClient(HttpConnector):
    system = "canvas"

    def __init__(
        self,
        base_url: str,
        credentials: CredentialSource,
        *,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """``base_url`` is the Canvas host, without ``/api/v1``."""
        super().__init__(base_url, timeout=timeout, transport=transport)
        self._credentials = credentials
        self._token: str | None = None

    async def _auth_headers(self) -> dict[str, str]:
        if self._token is None:
            token = (await self._credentials()).get("token")
            if not token:
                raise AuthError("canvas: the credential source has no 'token'", system=self.system)
            self._token = token
        return {"Authorization": f"Bearer {self._token}"}

    async def update_profile(
        self, sis_user_id: str, *, email: str | None = None, short_name: str | None = None
    ) -> CanvasProfile:
        fields = {k: v for k, v in {"email": email, "short_name": short_name}.items() if v}
        path = f"/api/v1/users/sis_user_id:{quote(sis_user_id, safe='')}"
        try:
            response = await self._request("PUT", path, json={"user": fields})
        except AuthError as exc:
            if exc.status != 401:
                raise
            self._token = None  # the token may have been rotated: read it again, once
            response = await self._request("PUT", path, json={"user": fields})
        try:
            return CanvasProfile.model_validate(response.json())
        except (ValueError, ValidationError) as exc:
            raise MalformedResponse(
                f"canvas: PUT {path} answered no user: {response.text[:200]!r}", system=self.system
            ) from exc
