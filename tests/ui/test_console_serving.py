"""The API serves the built console at / without shadowing any API route or error."""

from __future__ import annotations

import httpx


async def test_console_served_at_root_and_on_its_own_routes(api_url: str) -> None:
    async with httpx.AsyncClient(base_url=api_url) as http:
        for path in ("/", "/index.html", "/runs/some-run/show"):
            answer = await http.get(path)
            assert answer.status_code == 200, path
            assert '<div id="root">' in answer.text, path
        index = await http.get("/")
        script = index.text.split('src="')[1].split('"')[0]
        asset = await http.get(script)
        assert asset.status_code == 200 and "javascript" in asset.headers["content-type"]


async def test_api_paths_keep_their_json_answers(api_url: str) -> None:
    async with httpx.AsyncClient(base_url=api_url) as http:
        for method, path in (("GET", "/api/v1/nope"), ("POST", "/api/v1/nope"), ("GET", "/api")):
            answer = await http.request(method, path)
            assert answer.status_code == 404, (method, path)
            assert "error" in answer.json()
        assert (await http.get("/healthz")).json() == {"status": "ok"}
        assert (await http.get("/openapi.json")).json()["info"]["title"] == "Atrium"
        assert (await http.get("/docs")).status_code == 200
        traversal = await http.get("/assets/../../api/main.py")
        assert "create_app" not in traversal.text
