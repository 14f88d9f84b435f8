"""Logins (OAuth2 password flow issuing short-lived JWTs) and who-am-I.

``POST /auth/token`` answers the JWT in the body, for scripts and machine clients (sent back as a
Bearer token). ``POST /auth/session`` is the console's login: the same JWT, but in an HttpOnly,
SameSite=Strict cookie that script cannot read, plus the CSRF token the console echoes on changes
(api/auth/authenticate.py); ``DELETE /auth/session`` logs out by clearing both cookies.

Both are throttled twice: per client address and username (guessing one password), and failed
attempts per client address whatever the username (spraying one password over many accounts).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel
from sqlmodel import Session, select

from api.auth import tokens, totp
from api.auth.authenticate import (
    CHALLENGE,
    CSRF_COOKIE,
    SESSION_COOKIE,
    csrf_token,
)
from api.auth.passwords import hash_password, needs_rehash, verify_password
from api.auth.rate_limit import RateLimiter
from api.auth.rbac import permissions_of
from api.deps import EngineDep, SettingsDep
from api.errors import problem
from api.security import Principal, public, require
from atrium.bounds import is_line
from atrium.models import User
from atrium.security_events import ThreatMonitor
from atrium.settings import Settings

router = APIRouter(prefix="/auth", tags=["auth"])


class TokenAnswer(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105  (the OAuth2 token type)
    expires_in: int  # seconds
    must_enrol: bool = False  # true: the token may only enrol a second factor (then log in again)


class SessionAnswer(BaseModel):
    expires_in: int  # seconds
    csrf_token: str  # also in the atrium_csrf cookie: send it as X-CSRF-Token on changes
    must_enrol: bool = False  # true: the session may only enrol a second factor


class Me(BaseModel):
    subject: str
    kind: str
    role: str
    person_id: str | None
    class_ids: list[str]
    permissions: list[str]
    must_enrol: bool = False  # the role requires a second factor this account has not enrolled


def _check_password(engine: EngineDep, username: str, password: str) -> User | None:
    if not is_line(username):  # no account has such a name; PostgreSQL refuses a NUL in a query
        return None
    with Session(engine, expire_on_commit=False) as session:
        user = session.exec(select(User).where(User.username == username)).first()
        ok = verify_password(user.password_hash if user else None, password)
        if not ok or user is None or user.disabled:
            return None
        if needs_rehash(user.password_hash):  # parameters got stronger since it was hashed
            user.password_hash = hash_password(password)
            session.add(user)
            session.commit()
        return user


LOGIN_ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "wrong username or password"},
    403: {
        "description": "address blocked after a security event (password spraying), or a second "
        "factor owed: the answer's 'challenge' goes with the code to /auth/token/second-factor"
    },
    429: {"description": "too many attempts"},
}


async def _logged_in(request: Request, form: OAuth2PasswordRequestForm, engine: EngineDep) -> User:
    """The user whose password this is, after both login limits; 401 or 429 otherwise."""
    username = form.username.strip().lower()[:100]
    request.state.login = username or "anonymous"  # the audit log's actor for this attempt
    limiter: RateLimiter = request.app.state.rate_limiter
    # The peer, or the address a configured proxy forwarded for (ATRIUM_API__TRUSTED_PROXIES).
    client = request.client.host if request.client else ""
    threats: ThreatMonitor = request.app.state.threats
    blocked = await threats.refused_until("block_address", client)
    if blocked is not None:  # a security event's response (password spraying from here)
        raise HTTPException(
            403,
            "login: refused from this address after a security event, wait",
            headers={
                "Retry-After": str(max(1, int((blocked - datetime.now(UTC)).total_seconds())))
            },
        )
    if not await limiter.allows(limiter.per_login_address, "login-address", client):
        raise HTTPException(
            429,
            "rate limit: too many failed logins from this address, wait",
            headers={"Retry-After": str(limiter.per_login_address.get_expiry())},
        )
    state = await limiter.hit(limiter.per_login, "login", client, username)
    if state is not None and not state.allowed:
        raise HTTPException(
            429, "rate limit: too many login attempts, wait", headers=state.headers()
        )
    user = await asyncio.to_thread(_check_password, engine, username, form.password)
    if user is None:
        await limiter.hit(limiter.per_login_address, "login-address", client)
        await threats.login_failed(client, username)  # many usernames: password spraying
        raise HTTPException(
            401, "username or password: incorrect, or account disabled",
            headers={"WWW-Authenticate": CHALLENGE},
        )  # fmt: skip
    return user


async def second_factor_owed(request: Request, user: User, settings: Settings) -> Response | bool:
    """After a right password: a 403 carrying a challenge when the account has a second factor;
    otherwise whether the session may only enrol one (its role requires one, ATRIUM_API__)."""
    if user.second_factor_at is not None:
        key = await request.app.state.signing_key.get()
        return problem(
            403,
            "second factor: send a code from your authenticator app with this challenge to "
            "POST /api/v1/auth/token/second-factor (the console: /auth/session/second-factor)",
            second_factor="totp",
            challenge=totp.challenge(key, user),
            expires_in=int(totp.CHALLENGE_TTL.total_seconds()),
        )
    return user.role in settings.api.require_second_factor_for


async def token_for(
    request: Request, user: User, settings: Settings, enrol_only: bool = False
) -> TokenAnswer:
    ttl = timedelta(minutes=settings.api.access_token_minutes)
    key = await request.app.state.signing_key.get()
    token = tokens.issue(
        key, user.username, user.role, ttl, generation=user.token_generation, enrol_only=enrol_only
    )
    return TokenAnswer(
        access_token=token, expires_in=int(ttl.total_seconds()), must_enrol=enrol_only
    )


@router.post(
    "/token",
    response_model=TokenAnswer,
    dependencies=[public("the login itself")],
    responses=LOGIN_ERRORS,
)
async def login(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    engine: EngineDep,
    settings: SettingsDep,
) -> TokenAnswer | Response:
    user = await _logged_in(request, form, engine)
    owed = await second_factor_owed(request, user, settings)
    if isinstance(owed, Response):
        return owed
    return await token_for(request, user, settings, enrol_only=owed)


def _cookie_options(request: Request) -> dict[str, Any]:
    # Secure whenever the console is reached over https (directly, or through a trusted proxy
    # that says so in X-Forwarded-Proto); over plain http a browser would drop a Secure cookie.
    return {"samesite": "strict", "secure": request.url.scheme == "https"}


async def session_for(
    request: Request, response: Response, user: User, settings: Settings, enrol_only: bool = False
) -> SessionAnswer:
    """The console's session for ``user``: the JWT in an HttpOnly cookie, and its CSRF token."""
    answer = await token_for(request, user, settings, enrol_only)
    key = await request.app.state.signing_key.get()
    csrf = csrf_token(key, tokens.decode(key, answer.access_token))
    options = _cookie_options(request)
    # The JWT goes only to the API, and never to script; the CSRF token is read by the console.
    seconds = answer.expires_in
    response.set_cookie(
        SESSION_COOKIE, answer.access_token, seconds, path="/api", httponly=True, **options
    )
    response.set_cookie(CSRF_COOKIE, csrf, seconds, path="/", httponly=False, **options)
    response.headers["Cache-Control"] = "no-store"
    return SessionAnswer(expires_in=seconds, csrf_token=csrf, must_enrol=enrol_only)


@router.post(
    "/session",
    response_model=SessionAnswer,
    dependencies=[public("the console's login itself")],
    responses=LOGIN_ERRORS,
)
async def open_session(
    request: Request,
    response: Response,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    engine: EngineDep,
    settings: SettingsDep,
) -> SessionAnswer | Response:
    user = await _logged_in(request, form, engine)
    owed = await second_factor_owed(request, user, settings)
    if isinstance(owed, Response):
        return owed
    return await session_for(request, response, user, settings, enrol_only=owed)


@router.delete(
    "/session",
    status_code=204,
    dependencies=[public("logging out only clears the caller's own cookies")],
)
async def close_session(request: Request) -> Response:
    answer = Response(status_code=204)
    options = _cookie_options(request)
    answer.delete_cookie(SESSION_COOKIE, path="/api", httponly=True, **options)
    answer.delete_cookie(CSRF_COOKIE, path="/", **options)
    return answer


@router.get("/me", response_model=Me)
async def me(principal: Principal = require("profile:read")) -> Me:
    return Me(
        subject=principal.subject,
        kind=principal.kind,
        role=principal.role,
        person_id=principal.person_id,
        class_ids=principal.class_ids,
        permissions=sorted(p for p in permissions_of(principal.role) if principal.can(p)),
        must_enrol=principal.must_enrol,
    )
