"""Console login (OAuth2 password flow issuing short-lived JWTs) and who-am-I."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel
from sqlmodel import Session, select

from api.auth import tokens
from api.auth.authenticate import CHALLENGE
from api.auth.passwords import hash_password, needs_rehash, verify_password
from api.auth.rate_limit import RateLimiter
from api.auth.rbac import permissions_of
from api.deps import EngineDep, SettingsDep
from api.security import Principal, public, require
from atrium.bounds import is_line
from atrium.models import User

router = APIRouter(prefix="/auth", tags=["auth"])


class TokenAnswer(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105  (the OAuth2 token type)
    expires_in: int  # seconds


class Me(BaseModel):
    subject: str
    kind: str
    role: str
    person_id: str | None
    class_ids: list[str]
    permissions: list[str]


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


@router.post(
    "/token",
    response_model=TokenAnswer,
    dependencies=[public("the login itself")],
    responses={
        401: {"description": "wrong username or password"},
        429: {"description": "too many attempts"},
    },
)
async def login(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    engine: EngineDep,
    settings: SettingsDep,
) -> TokenAnswer:
    username = form.username.strip().lower()[:100]
    request.state.login = username or "anonymous"  # the audit log's actor for this attempt
    limiter: RateLimiter = request.app.state.rate_limiter
    client = request.client.host if request.client else ""
    state = await limiter.hit(limiter.per_login, "login", client, username)
    if state is not None and not state.allowed:
        raise HTTPException(
            429, "rate limit: too many login attempts, wait", headers=state.headers()
        )
    user = await asyncio.to_thread(_check_password, engine, username, form.password)
    if user is None:
        raise HTTPException(
            401, "username or password: incorrect, or account disabled",
            headers={"WWW-Authenticate": CHALLENGE},
        )  # fmt: skip
    ttl = timedelta(minutes=settings.api.access_token_minutes)
    key = await request.app.state.signing_key.get()
    return TokenAnswer(
        access_token=tokens.issue(
            key, user.username, user.role, ttl, generation=user.token_generation
        ),
        expires_in=int(ttl.total_seconds()),
    )


@router.get("/me", response_model=Me)
async def me(principal: Principal = require("profile:read")) -> Me:
    return Me(
        subject=principal.subject,
        kind=principal.kind,
        role=principal.role,
        person_id=principal.person_id,
        class_ids=principal.class_ids,
        permissions=sorted(p for p in permissions_of(principal.role) if principal.can(p)),
    )
