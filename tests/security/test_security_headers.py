"""Finding 11 (headers): the console, /docs and the API answer with a Content-Security-Policy
that allows no inline script and no other origin, refuse to be framed, forbid MIME sniffing and
send no referrer; HSTS only over https. In a real browser the console and /docs run under that
policy without a single violation and without fetching anything from another origin."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.async_api import Browser, ConsoleMessage, Request
from sqlalchemy.engine import Engine

from tests.support.auth import PASSWORD, bearer, make_user
from tests.support.browser import log_in


def directives(policy: str) -> dict[str, list[str]]:
    out = {}
    for part in policy.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


@pytest.fixture(scope="module")
def asset(api_url: str) -> str:
    index = httpx.get(f"{api_url}/").text
    found = re.search(r'src="(/assets/[^"]+\.js)"', index)
    assert found, index
    return found.group(1)


@pytest.fixture
def answers(api_url: str, admin_token: str, asset: str) -> Iterator[dict[str, httpx.Response]]:
    with httpx.Client(base_url=api_url, timeout=30) as http:
        yield {
            "console": http.get("/"),
            "console route": http.get("/runs/some-run/show"),
            "console asset": http.get(asset),
            "docs": http.get("/docs"),
            "docs script": http.get("/docs/init.js"),
            "openapi": http.get("/openapi.json"),
            "api anonymous": http.get("/api/v1/processes"),
            "api": http.get("/api/v1/processes", headers=bearer(admin_token)),
            "api error": http.get("/api/v1/no-such-thing", headers=bearer(admin_token)),
            "probe": http.get("/healthz"),
        }


def test_every_answer_has_the_security_headers(answers: dict[str, httpx.Response]) -> None:
    for what, answer in answers.items():
        assert answer.status_code < 500, what
        headers = answer.headers
        policy = directives(headers.get("Content-Security-Policy", ""))
        assert policy.get("script-src") == ["'self'"], (what, policy)  # no inline, no eval
        assert policy.get("default-src") == ["'self'"], what
        assert policy.get("frame-ancestors") == ["'none'"], what
        assert policy.get("object-src") == ["'none'"], what
        assert policy.get("connect-src") == ["'self'"], what
        assert headers.get("X-Frame-Options") == "DENY", what
        assert headers.get("X-Content-Type-Options") == "nosniff", what
        assert headers.get("Referrer-Policy") == "no-referrer", what
        assert "Strict-Transport-Security" not in headers, what  # plain http


def test_pages_carry_no_inline_script(answers: dict[str, httpx.Response]) -> None:
    for what in ("console", "docs"):
        page = answers[what].text
        scripts = re.findall(r"<script\b[^>]*>", page)
        assert scripts, what
        for tag in scripts:
            assert re.search(r'\ssrc="/', tag), (what, tag)  # a file of this origin
        assert not re.search(r"<script\b[^>]*>\s*[^<\s]", page), what  # nothing inside the tags
        assert not re.search(r"\son[a-z]+=", page), what  # no inline event handlers
        assert "http://" not in page and "https://" not in page, what  # nothing from elsewhere


async def _run_page(browser: Browser, api_url: str, path: str, engine: Engine | None) -> list[str]:
    """Open ``path`` (logged in when ``engine`` is given); returns the CSP violations and the
    requests to other origins seen."""
    context = await browser.new_context(base_url=api_url)
    context.set_default_timeout(20_000)
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            problems.append(message.text)

    def on_request(request: Request) -> None:
        if not request.url.startswith((api_url, "data:")):
            problems.append(f"request to another origin: {request.url}")

    try:
        page = await context.new_page()
        page.on("console", on_console)
        context.on("request", on_request)
        if engine is not None:
            await log_in(page, make_user(engine, "administrator"), PASSWORD)
        await page.goto(path)
        if path == "/docs":
            # Swagger UI started (from our script file) and rendered the operations.
            await page.locator(".opblock").first.wait_for()
        else:
            await page.get_by_role("menuitem").first.wait_for()
        await page.wait_for_load_state("networkidle")
    finally:
        await context.close()
    return problems


async def test_docs_run_under_the_policy_from_this_origin_only(
    browser: Browser,
    api_url: str,
) -> None:
    assert await _run_page(browser, api_url, "/docs", None) == []


async def test_the_console_runs_under_the_policy(
    browser: Browser,
    api_url: str,
    engine: Engine,
) -> None:
    assert await _run_page(browser, api_url, "/runs", engine) == []
