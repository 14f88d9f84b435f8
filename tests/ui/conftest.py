"""A real browser (Debian's chromium, driven by Playwright; never a downloaded browser) on the
console that the session's API serves from ui/dist, with the sandbox institution registered."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page
from sqlalchemy.engine import Engine

from atrium.credentials import Credentials
from atrium.stack.institution import register_sandbox
from tests.support.browser import log_in, require_console_and_browser

SCREENSHOTS = Path(__file__).parent / "screenshots"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session", autouse=True)
def prerequisites() -> None:
    require_console_and_browser()


@pytest.fixture(scope="session")
async def sandbox_registered(
    engine: Engine, credentials: Credentials, sandbox_url: str
) -> list[str]:
    """The sandbox institution's connections in the inventory, their secrets in Vault."""
    return await register_sandbox(engine, credentials, sandbox_url)


async def auth_enabled(api_url: str) -> bool:
    """True when the API has the login routes (an anonymous /auth/me answers 401, not 404)."""
    # 30 s: the API's first answer can take seconds on a loaded machine (httpx's default is 5 s)
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as http:
        return (await http.get("/api/v1/auth/me")).status_code == 401


async def new_page(
    browser: Browser,
    api_url: str,
    engine: Engine,
    role: str = "administrator",
    viewport: dict[str, int] = DESKTOP,
) -> tuple[BrowserContext, Page]:
    """A fresh browser context on the console, logged in as a new user of ``role`` when the API
    has logins (without them every caller is an administrator)."""
    context = await browser.new_context(base_url=api_url, viewport=viewport)  # type: ignore[arg-type]
    context.set_default_timeout(20_000)
    page = await context.new_page()
    if await auth_enabled(api_url):
        from tests.support.auth import PASSWORD, make_user

        await log_in(page, make_user(engine, role), PASSWORD)
    return context, page


@pytest.fixture(scope="session")
async def admin_state(browser: Browser, api_url: str, engine: Engine) -> Any:
    """An administrator logged in once through the login page; later pages reuse the session."""
    context, _ = await new_page(browser, api_url, engine)
    state = await context.storage_state()
    await context.close()
    return state


@pytest.fixture
async def console(
    browser: Browser, api_url: str, admin_state: Any, worker: Any, sandbox_registered: list[str]
) -> AsyncIterator[Page]:
    """A desktop-sized page on the console, logged in as an administrator, a worker running."""
    context = await browser.new_context(
        base_url=api_url,
        viewport=DESKTOP,  # type: ignore[arg-type]
        storage_state=admin_state,
    )
    context.set_default_timeout(20_000)
    yield await context.new_page()
    await context.close()


async def shoot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under tests/ui/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.wait_for_load_state("networkidle")
    await page.screenshot(path=path, full_page=True)
    return path
