"""The second factor (TOTP, api/auth/totp.py): enrolling one, and the login's second step.

Enrolment asks for the password again (a session left open must not be enough), answers the
otpauth URI and its QR code once (``Cache-Control: no-store``), and takes effect with a first
code, which also ends the account's sessions: the next login asks for a code.

``POST /auth/token/second-factor`` and ``POST /auth/session/second-factor`` take the challenge a
right password got and a code; codes are limited per username (ATRIUM_API__SECOND_FACTOR_RATE_
LIMIT), and a wrong one is a security event (the password was right: someone may hold it).
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, Response
from limits import parse
from pydantic import BaseModel, Field
from sqlmodel import Session, select

from api.auth import tokens, totp
from api.auth.passwords import verify_password
from api.auth.rate_limit import RateLimiter
from api.deps import EngineDep, SettingsDep
from api.routes.auth import SessionAnswer, TokenAnswer, session_for, token_for
from api.security import Principal, public, require
from atrium.models import User
from atrium.security_events import ThreatMonitor
from atrium.settings import Settings

router = APIRouter(prefix="/auth", tags=["auth"])

Code = Annotated[str, Field(min_length=6, max_length=6, pattern=r"^[0-9]{6}$")]


class EnrolmentStart(BaseModel):
    password: str = Field(min_length=1, max_length=256, description="the account's password, again")


class Enrolment(BaseModel):
    otpauth_uri: str = Field(description="for an authenticator app; holds the seed: shown once")
    qr_svg: str = Field(description="the same URI as a QR code (SVG)")


class CodeBody(BaseModel):
    code: Code


class SecondStep(BaseModel):
    challenge: str = Field(min_length=1, max_length=4096, description="from the login's 403")
    code: Code


SECOND_STEP_ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "challenge expired or invalid, or the code is wrong or used already"},
    403: {"description": "address blocked after a security event"},
    429: {"description": "too many codes tried for this account"},
}


def _factors(request: Request) -> totp.SecondFactors:
    return totp.SecondFactors(request.app.state.credentials, request.app.state.engine)


def _user(engine: EngineDep, username: str) -> User | None:
    with Session(engine, expire_on_commit=False) as session:
        return session.exec(select(User).where(User.username == username)).first()


def _own_account(principal: Principal) -> str:
    if principal.kind != "user":
        raise HTTPException(
            403,
            "second factor: only for Atrium's own accounts (an API key or an OIDC login "
            "authenticates elsewhere)",
        )
    return principal.subject


@router.post(
    "/second-factor/enrolment",
    response_model=Enrolment,
    responses={
        403: {"description": "the password is incorrect, or the caller is no console account"},
        409: {"description": "a second factor is enrolled already (an administrator resets it)"},
    },
)
async def begin_enrolment(
    request: Request,
    response: Response,
    body: EnrolmentStart,
    engine: EngineDep,
    principal: Principal = require("profile:read"),
) -> Enrolment:
    username = _own_account(principal)
    limiter: RateLimiter = request.app.state.rate_limiter
    client = request.client.host if request.client else ""
    state = await limiter.hit(limiter.per_login, "login", client, username)
    if state is not None and not state.allowed:
        raise HTTPException(429, "rate limit: too many attempts, wait", headers=state.headers())
    user = await asyncio.to_thread(_user, engine, username)
    if user is None or not verify_password(user.password_hash, body.password):
        raise HTTPException(403, "password: incorrect")
    if user.second_factor_at is not None:
        raise HTTPException(
            409,
            "second factor: already enrolled; an administrator resets it "
            f"(DELETE /api/v1/users/{username}/second-factor) before a new one",
        )
    uri = await _factors(request).begin(username)
    response.headers["Cache-Control"] = "no-store"
    return Enrolment(otpauth_uri=uri, qr_svg=totp.qr_svg(uri))


@router.post(
    "/second-factor/enrolment/confirm",
    status_code=204,
    responses={400: {"description": "not the current code of the pending enrolment"}},
)
async def confirm_enrolment(
    request: Request, body: CodeBody, principal: Principal = require("profile:read")
) -> Response:
    username = _own_account(principal)
    if not await _factors(request).confirm(username, body.code):
        raise HTTPException(
            400, "code: not the current code of the enrolment begun (or none is pending)"
        )
    return Response(status_code=204)


async def _second_step(request: Request, body: SecondStep, settings: Settings) -> User:
    """The account the challenge was issued for, once its code is right and unused."""
    key = await request.app.state.signing_key.get()
    try:
        username, generation = totp.challenged(key, body.challenge)
    except tokens.TokenInvalid as exc:
        raise HTTPException(401, f"challenge: {exc}; log in again") from None
    request.state.login = username  # the audit log's actor for this attempt
    client = request.client.host if request.client else ""
    threats: ThreatMonitor = request.app.state.threats
    if await threats.refused_until("block_address", client) is not None:
        raise HTTPException(403, "login: refused from this address after a security event, wait")
    limiter: RateLimiter = request.app.state.rate_limiter
    limit = parse(settings.api.second_factor_rate_limit)
    state = await limiter.hit(limit, "second-factor", username)
    if state is not None and not state.allowed:
        raise HTTPException(
            429, "rate limit: too many codes tried for this account, wait", headers=state.headers()
        )
    user = await asyncio.to_thread(_user, request.app.state.engine, username)
    if user is None or user.disabled or user.token_generation != generation:
        raise HTTPException(401, "challenge: the account changed since; log in again")
    if not await _factors(request).verify(username, body.code):
        await threats.second_factor_failed(client, username)
        raise HTTPException(401, "code: wrong, expired or used already")
    return user


@router.post(
    "/token/second-factor",
    response_model=TokenAnswer,
    dependencies=[public("the login's second step: the challenge proves the password")],
    responses=SECOND_STEP_ERRORS,
)
async def token_second_factor(
    request: Request, body: SecondStep, settings: SettingsDep
) -> TokenAnswer:
    user = await _second_step(request, body, settings)
    return await token_for(request, user, settings)


@router.post(
    "/session/second-factor",
    response_model=SessionAnswer,
    dependencies=[public("the console login's second step: the challenge proves the password")],
    responses=SECOND_STEP_ERRORS,
)
async def session_second_factor(
    request: Request, response: Response, body: SecondStep, settings: SettingsDep
) -> SessionAnswer:
    user = await _second_step(request, body, settings)
    return await session_for(request, response, user, settings)
