"""Serves the console (ui/dist, built by `npm run build`) at ``/``, when it has been built.

Unknown non-API GET paths answer index.html so that the console's own routes (/runs/..., a
reload on any screen) work; API paths keep their JSON 404.
"""

from __future__ import annotations

import inspect
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

DIST = Path(__file__).resolve().parent.parent / "ui" / "dist"
API_PATHS = ("/api/", "/docs", "/redoc", "/openapi.json", "/healthz", "/readyz", "/metrics")


def mount_console(app: FastAPI, dist: Path = DIST) -> bool:
    """Mount the built console if there is one; returns whether it did."""
    index = dist / "index.html"
    if not index.is_file():
        return False
    root = dist.resolve()
    if (dist / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=dist / "assets"), name="console-assets")
    api_not_found = app.exception_handlers[StarletteHTTPException]

    async def not_found(request: Request, exc: Exception) -> Response:
        path = request.url.path
        if request.method not in ("GET", "HEAD") or path == "/api" or path.startswith(API_PATHS):
            answer = api_not_found(request, exc)
            return await answer if inspect.isawaitable(answer) else answer
        wanted = (root / path.lstrip("/")).resolve()
        if wanted.is_file() and wanted.is_relative_to(root):
            return FileResponse(wanted)
        # index.html is small and changes with every build: never cached.
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    app.add_exception_handler(404, not_found)
    return True
