"""Everything lives under /api/v1; an old client (no version header) keeps working, and a
deprecated route announces its sunset."""

from __future__ import annotations

from datetime import date

import httpx
from fastapi import FastAPI

from api.versioning import deprecated


async def test_an_old_client_without_version_headers_keeps_working(
    api_url: str, admin_token: str
) -> None:
    # Only what a 2026 client sent: its token, no Accept-Version / API-Version / custom header.
    async with httpx.AsyncClient(base_url=api_url) as client:
        headers = {"Authorization": f"Bearer {admin_token}"}
        for path in ("/api/v1/processes", "/api/v1/integrations", "/api/v1/runs"):
            answer = await client.get(path, headers=headers)
            assert answer.status_code == 200, (path, answer.text)
            assert "Deprecation" not in answer.headers and "Sunset" not in answer.headers
        spec = (await client.get("/openapi.json")).json()
    assert all(
        path.startswith("/api/v1/") or path in ("/healthz", "/readyz", "/metrics")
        for path in spec["paths"]
    )


async def test_deprecated_routes_say_when_they_go_and_what_replaces_them() -> None:
    app = FastAPI()

    @app.get(
        "/api/v1/old",
        deprecated=True,
        dependencies=[
            deprecated(since=date(2027, 3, 1), sunset=date(2027, 9, 1), successor="/api/v2/new")
        ],
    )
    async def old() -> dict[str, str]:
        return {"still": "works"}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answer = await client.get("/api/v1/old")
    assert answer.status_code == 200 and answer.json() == {"still": "works"}
    assert answer.headers["Deprecation"] == "@1803859200"  # 2027-03-01T00:00:00Z
    assert answer.headers["Sunset"] == "Wed, 01 Sep 2027 00:00:00 GMT"
    assert answer.headers["Link"] == '</api/v2/new>; rel="successor-version"'
    assert app.openapi()["paths"]["/api/v1/old"]["get"]["deprecated"] is True
