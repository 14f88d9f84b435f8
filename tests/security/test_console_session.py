"""Finding 11 (the console's token): the console's login is an HttpOnly, SameSite=Strict cookie
that no script can read, never a token in localStorage; a change made with that cookie needs the
CSRF token; bearer tokens and API keys work for machine clients as before."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie

import httpx
import pytest
from playwright.async_api import Browser
from sqlalchemy.engine import Engine

from api.main import create_app
from atrium.settings import Settings
from tests.support.auth import PASSWORD, bearer, login, make_user
from tests.support.browser import log_in
from tests.support.servers import serve

SESSION = "/api/v1/auth/session"
NEW_KEY = {"name": "csrf-probe", "scopes": ["processes:read"]}


def set_cookies(answer: httpx.Response) -> dict[str, SimpleCookie]:
    out = {}
    for header in answer.headers.get_list("set-cookie"):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        out.update({name: cookie for name in cookie})
    return out


@contextmanager
def open_session(url: str, username: str) -> Iterator[httpx.Client]:
    """A client holding a console session's cookies, as a browser would."""
    with httpx.Client(base_url=url, timeout=30) as client:
        answer = client.post(SESSION, data={"username": username, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        yield client


def test_the_session_cookie_is_httponly_and_strict(api_url: str, engine: Engine) -> None:
    answer = httpx.post(
        f"{api_url}{SESSION}", data={"username": make_user(engine, "leader"), "password": PASSWORD}
    )
    assert answer.status_code == 200
    assert "access_token" not in answer.json()  # nothing for script to keep
    cookies = set_cookies(answer)
    session = cookies["atrium_session"]["atrium_session"]
    assert session["httponly"] is True and session["samesite"].lower() == "strict"
    assert session["path"] == "/api" and int(session["max-age"]) > 0
    assert not session["secure"]  # plain http here: a Secure cookie would never come back
    csrf = cookies["atrium_csrf"]["atrium_csrf"]
    assert not csrf["httponly"] and csrf["samesite"].lower() == "strict"
    assert csrf.value == answer.json()["csrf_token"]
    assert answer.headers["Cache-Control"] == "no-store"


def test_a_change_with_the_cookie_needs_the_csrf_token(api_url: str, engine: Engine) -> None:
    with open_session(api_url, make_user(engine, "administrator")) as client:
        assert client.get("/api/v1/auth/me").status_code == 200  # reading needs no token
        missing = client.post("/api/v1/api-keys", json=NEW_KEY)
        assert missing.status_code == 403 and "csrf" in missing.json()["error"]
        wrong = client.post("/api/v1/api-keys", json=NEW_KEY, headers={"X-CSRF-Token": "0" * 64})
        assert wrong.status_code == 403
        token = client.cookies["atrium_csrf"]
        made = client.post("/api/v1/api-keys", json=NEW_KEY, headers={"X-CSRF-Token": token})
        assert made.status_code == 201, made.text
        gone = client.delete(f"/api/v1/api-keys/{made.json()['id']}")
        assert gone.status_code == 403  # DELETE too
        gone = client.delete(
            f"/api/v1/api-keys/{made.json()['id']}", headers={"X-CSRF-Token": token}
        )
        assert gone.status_code == 204


def test_a_csrf_token_works_only_with_its_own_session(api_url: str, engine: Engine) -> None:
    attacker_user, victim_user = make_user(engine, "student"), make_user(engine, "administrator")
    with (
        open_session(api_url, attacker_user) as attacker,
        open_session(api_url, victim_user) as victim,
    ):
        ridden = victim.post(
            "/api/v1/api-keys",
            json=NEW_KEY,
            headers={"X-CSRF-Token": attacker.cookies["atrium_csrf"]},
        )
    assert ridden.status_code == 403


def test_bearer_tokens_and_api_keys_need_no_csrf_token(api_url: str, engine: Engine) -> None:
    token = login(api_url, make_user(engine, "administrator"))
    made = httpx.post(f"{api_url}/api/v1/api-keys", json=NEW_KEY, headers=bearer(token))
    assert made.status_code == 201
    key = made.json()["key"]
    assert httpx.get(f"{api_url}/api/v1/processes", headers={"X-API-Key": key}).status_code == 200
    gone = httpx.delete(f"{api_url}/api/v1/api-keys/{made.json()['id']}", headers=bearer(token))
    assert gone.status_code == 204


def test_logout_clears_the_cookies(api_url: str, engine: Engine) -> None:
    with open_session(api_url, make_user(engine, "leader")) as client:
        answer = client.delete(SESSION)
        assert answer.status_code == 204
        cookies = set_cookies(answer)
        for name in ("atrium_session", "atrium_csrf"):
            assert int(cookies[name][name]["max-age"]) == 0
        assert client.get("/api/v1/auth/me").status_code == 401  # the client dropped them


@pytest.fixture
def https_api(settings: Settings) -> Iterator[str]:
    """An API behind a (trusted) TLS-terminating proxy on this host."""
    api = settings.api.model_copy(update={"trusted_proxies": ["127.0.0.1"]})
    with serve(create_app(settings.model_copy(update={"api": api}))) as url:
        yield url


def test_the_cookies_are_secure_over_https(https_api: str, engine: Engine) -> None:
    answer = httpx.post(
        f"{https_api}{SESSION}",
        data={"username": make_user(engine, "leader"), "password": PASSWORD},
        headers={"X-Forwarded-Proto": "https"},
    )
    cookies = set_cookies(answer)
    assert cookies["atrium_session"]["atrium_session"]["secure"] is True
    assert cookies["atrium_csrf"]["atrium_csrf"]["secure"] is True


async def test_the_browser_keeps_no_token_where_script_can_read_it(
    browser: Browser,
    api_url: str,
    engine: Engine,
) -> None:
    context = await browser.new_context(base_url=api_url)
    context.set_default_timeout(20_000)
    try:
        page = await context.new_page()
        await log_in(page, make_user(engine, "administrator"), PASSWORD)
        cookies = {c["name"]: c for c in await context.cookies()}
        session = cookies["atrium_session"]
        assert session["httpOnly"] is True and session["sameSite"] == "Strict"
        stored = await page.evaluate(
            "JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])"
        )
        assert session["value"] not in stored
        assert "token" not in stored.lower() and "eyJ" not in stored  # no JWT of any kind
        assert "atrium_session" not in await page.evaluate("document.cookie")
        # The console's own calls work with the cookie (the dashboard loaded, /auth/me answered).
        who = await page.evaluate("fetch('/api/v1/auth/me').then((r) => r.status)")
        assert who == 200
    finally:
        await context.close()
