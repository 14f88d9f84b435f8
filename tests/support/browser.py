"""Debian's chromium for the tests that drive the console (never a downloaded browser)."""

from __future__ import annotations

import shutil

import pytest
from playwright.async_api import Page

from api.console import DIST

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def require_console_and_browser() -> None:
    """The built console and a browser: say how to get them (a failure, never a skip)."""
    if not (DIST / "index.html").is_file():
        pytest.fail("ui/dist is not built: run `npm --prefix ui ci && npm --prefix ui run build`")
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium`")


async def log_in(page: Page, username: str, password: str) -> None:
    await page.goto("/")
    await page.locator("input[name=username]").fill(username)
    await page.locator("input[name=password]").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    landed = page.get_by_test_id("integration-health").or_(page.get_by_role("menuitem").first)
    await landed.first.wait_for()
