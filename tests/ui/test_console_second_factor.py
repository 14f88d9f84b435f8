"""The console with a second factor, in a real browser: an administrator enrols on the enrolment
page (QR code, then a first code), is sent back to the login, and the login asks for the code
after the password. Codes are computed with pyotp, as an authenticator app would."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete

from atrium.credentials import Credentials
from atrium.models import User
from tests.support.auth import PASSWORD
from tests.support.totp import code, seed_of, steady_step
from tests.ui.conftest import PHONE, auth_enabled, new_page, shoot


@pytest.fixture
async def cleanup(engine: Engine, credentials: Credentials) -> AsyncIterator[list[str]]:
    names: list[str] = []
    yield names
    for name in names:
        for state in ("users", "pending"):
            await credentials.delete_at(f"second-factor/{state}/{name}")
    with Session(engine) as session:
        session.exec(delete(User).where(col(User.username).in_(names)))  # type: ignore[call-overload]
        session.commit()


async def _username(page: Page) -> str:
    answer = await page.request.get("/api/v1/auth/me")
    return str((await answer.json())["subject"])


async def _enter_code(page: Page, value: str) -> None:
    await page.locator("input[name=code]").fill(value)
    await page.get_by_role("button", name="Verify").click()


async def test_enrol_then_log_in_with_the_code(
    browser: Browser, api_url: str, engine: Engine, cleanup: list[str]
) -> None:
    assert await auth_enabled(api_url), "the session's API has logins"
    context, page = await new_page(browser, api_url, engine)
    try:
        username = await _username(page)
        cleanup.append(username)
        await page.get_by_label("Profile").click()  # the user menu
        await page.get_by_role("menuitem", name="Second factor").click()
        await expect(page).to_have_url(re.compile(r"#/second-factor$"))
        await page.locator("input[name=password]").fill(PASSWORD)
        await page.get_by_role("button", name="Begin").click()
        await expect(page.get_by_test_id("second-factor-qr")).to_be_visible()
        seed = seed_of(await page.get_by_test_id("otpauth-uri").inner_text())
        await shoot(page, "screen-second-factor-enrolment")
        steady_step()
        await page.locator("input[name=code]").fill(code(seed, -1))
        await page.get_by_role("button", name="Confirm").click()
        await expect(page.get_by_test_id("second-factor-done")).to_be_visible()
        await expect(page.get_by_test_id("otpauth-uri")).to_have_count(0)  # shown once
        await page.get_by_role("button", name="Log in again").click()

        # The login now asks for the code after the password.
        await page.locator("input[name=username]").fill(username)
        await page.locator("input[name=password]").fill(PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.locator("input[name=code]")).to_be_visible()
        await shoot(page, "screen-second-factor-login")
        await _enter_code(page, "000000" if code(seed, 0) != "000000" else "999999")
        await expect(page.get_by_text("code: wrong, expired or used already")).to_be_visible()
        steady_step()
        await _enter_code(page, code(seed, 0))
        landed = page.get_by_test_id("integration-health").or_(page.get_by_role("menuitem").first)
        await expect(landed.first).to_be_visible()
        assert await _username(page) == username
    finally:
        await context.close()


async def test_a_secretary_logs_in_with_the_code_on_a_phone(
    browser: Browser, api_url: str, engine: Engine, cleanup: list[str]
) -> None:
    context, page = await new_page(browser, api_url, engine, role="secretary")
    try:
        username = await _username(page)
        cleanup.append(username)
        enrol = await page.request.post(
            "/api/v1/auth/second-factor/enrolment",
            data={"password": PASSWORD},
            headers={"X-CSRF-Token": await _csrf(page)},
        )
        assert enrol.ok, await enrol.text()
        seed = seed_of((await enrol.json())["otpauth_uri"])
        steady_step()
        confirmed = await page.request.post(
            "/api/v1/auth/second-factor/enrolment/confirm",
            data={"code": code(seed, -1)},
            headers={"X-CSRF-Token": await _csrf(page)},
        )
        assert confirmed.status == 204, await confirmed.text()
    finally:
        await context.close()
    phone = await browser.new_context(base_url=api_url, viewport=PHONE)  # type: ignore[arg-type]
    phone.set_default_timeout(20_000)
    try:
        page = await phone.new_page()
        await page.goto("/")
        await page.locator("input[name=username]").fill(username)
        await page.locator("input[name=password]").fill(PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        steady_step()
        await _enter_code(page, code(seed, 0))
        await expect(page.locator("input[name=code]")).to_have_count(0)  # past the login
        assert await _username(page) == username
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width}px wide"
    finally:
        await phone.close()


async def _csrf(page: Page) -> str:
    cookies = await page.context.cookies()
    return next(c["value"] for c in cookies if c["name"] == "atrium_csrf")
