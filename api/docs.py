"""The API's documentation page (Swagger UI) at /docs, served entirely by the API.

FastAPI's own page loads Swagger UI from a CDN and starts it with an inline script: a browser on a
school network without that CDN sees nothing, and an inline script would need a weaker
Content-Security-Policy. Here Swagger UI's files come from the ``fastapi-offline`` package and the
page starts it from a script file of ours (api/docs_assets/init.js).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request

ASSETS = Path(__file__).resolve().parent / "docs_assets"
PAGE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Atrium API</title>
    <link rel="stylesheet" href="/docs/swagger-ui.css" />
    <link rel="icon" href="/docs/favicon.png" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/init.js"></script>
  </body>
</html>
"""


async def _page(_: Request) -> HTMLResponse:
    return HTMLResponse(PAGE)


def mount_docs(app: FastAPI) -> None:
    app.add_route("/docs", _page, include_in_schema=False)
    files = StaticFiles(directory=ASSETS, packages=[("fastapi_offline", "static")])
    app.mount("/docs", files, name="docs-assets")
