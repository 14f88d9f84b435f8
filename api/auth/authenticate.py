"""Turning a request's credentials into a Principal, or a 401 that says why.

Machine clients and scripts send ``Authorization: Bearer <jwt or atr_ key>`` or ``X-API-Key``. The
console instead holds its login in an HttpOnly cookie (``atrium_session``, set by
``POST /api/v1/auth/session``) that script cannot read. A browser sends a cookie with every
request, so a cookie alone could be ridden by another page (cross-site request forgery): a
mutating call authenticated by the cookie must also carry ``X-CSRF-Token`` equal to the token
derived from the session's signed JWT (an HMAC of its ``jti``), which the console reads from the
script-readable ``atrium_csrf`` cookie. Another site can neither read that cookie nor set that
header: the signed double-submit cookie pattern. Headers win over the cookie, so machine
clients never need the token.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import HTTPException, Request
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from api.auth import api_keys, oidc, tokens
from api.auth.principal import Principal
from api.auth.signing_key import SigningKey
from atrium.credentials import CredentialError
from atrium.models import ApiKey, User

CHALLENGE = 'Bearer realm="atrium"'
MISSING_CREDENTIALS = "missing credentials: send a Bearer token or an X-API-Key header"
SESSION_COOKIE = "atrium_session"  # the console's JWT: HttpOnly, SameSite=Strict
CSRF_COOKIE = "atrium_csrf"  # readable by the console's script, echoed in CSRF_HEADER
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often per key


def unauthorized(reason: str, invalid_token: bool = False) -> HTTPException:
    challenge = CHALLENGE
    if invalid_token:  # RFC 6750: tell the client to get a new token
        challenge += f', error="invalid_token", error_description="{reason}"'
    return HTTPException(401, f"authentication: {reason}", headers={"WWW-Authenticate": challenge})


def credential_of(request: Request) -> str | None:
    key = request.headers.get("x-api-key")
    if key:
        return key.strip()
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.utcoffset() is None else value


# What an enrol-only session may do: see its own account and enrol (api/routes/second_factor.py).
ENROL_SCOPES = ["profile:read"]


def _user_principal(
    engine: Engine, username: str, generation: object, enrol_only: bool = False
) -> Principal:
    with Session(engine) as session:
        user = session.exec(select(User).where(User.username == username)).first()
    if user is None or user.disabled:
        raise unauthorized("account unknown or disabled")
    if generation != user.token_generation:  # password, role or account changed since issued
        raise tokens.TokenInvalid("token revoked: sign in again")
    return Principal(
        subject=user.username, kind="user", role=user.role,
        person_id=user.person_id, class_ids=list(user.class_ids),
        scopes=ENROL_SCOPES if enrol_only else None, must_enrol=enrol_only,
    )  # fmt: skip


def _key_principal(engine: Engine, key: str) -> Principal:
    now = datetime.now(UTC)
    with Session(engine, expire_on_commit=False) as session:
        row = session.exec(select(ApiKey).where(ApiKey.key_hash == api_keys.hash_key(key))).first()
        if row is None:
            raise unauthorized("unknown API key")
        if row.revoked_at is not None:
            raise unauthorized("API key revoked")
        if row.expires_at is not None and _utc(row.expires_at) <= now:
            raise unauthorized("API key expired")
        if row.suspended_at is not None:  # a security event's response (atrium/security_signals)
            raise unauthorized("API key suspended after a security event: ask to resume it")
        owner = session.exec(select(User).where(User.username == row.owner)).first()
        if owner is None or owner.disabled:
            raise unauthorized("API key's owner is unknown or disabled")
        if row.last_used_at is None or _utc(row.last_used_at) < now - _TOUCH_EVERY:
            row.last_used_at = now
            session.add(row)
            session.commit()
    return Principal(
        subject=f"api-key:{row.id}", kind="api_key", role=owner.role,
        person_id=owner.person_id, class_ids=list(owner.class_ids),
        scopes=list(row.scopes), owner=owner.username,
    )  # fmt: skip


def csrf_token(key: bytes, claims: dict[str, Any]) -> str:
    """The CSRF token bound to one session JWT: only the API (holding the key) can make it."""
    jti = str(claims.get("jti", ""))
    return hmac.new(key, f"atrium-csrf:{jti}".encode(), hashlib.sha256).hexdigest()


# POSTs that change nothing: Temporal's remote codec protocol reads by POST (the Web UI, another
# origin, sends the cookie but no CSRF header). A forged one learns nothing: only the Web UI's
# origin may read the answer (CORS, api/routes/codec.py); it leaves an audit entry, as it should.
READS_BY_POST = ("/api/v1/codec/",)


def _check_csrf(request: Request, key: bytes, claims: dict[str, Any]) -> None:
    if request.method in SAFE_METHODS or request.url.path.startswith(READS_BY_POST):
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(sent.encode(), csrf_token(key, claims).encode()):
        raise HTTPException(
            403,
            f"csrf: a change made with the console's session cookie needs the {CSRF_HEADER} header "
            f"holding the {CSRF_COOKIE} cookie's value",
        )


async def _session_token(request: Request) -> str:
    """The console's session JWT from its cookie, once its CSRF token is checked."""
    session = request.cookies.get(SESSION_COOKIE)
    if not session:
        raise unauthorized(MISSING_CREDENTIALS)
    try:
        signing_key: SigningKey = request.app.state.signing_key
        key = await signing_key.get()
        claims = tokens.decode(key, session)
    except tokens.TokenInvalid as exc:
        raise unauthorized(str(exc), invalid_token=True) from None
    except CredentialError:
        raise HTTPException(503, "vault unavailable: cannot check tokens") from None
    _check_csrf(request, key, claims)
    return session


async def authenticate(request: Request) -> Principal:
    credential = credential_of(request) or await _session_token(request)
    engine: Engine = request.app.state.engine
    verifier: oidc.OidcVerifier | None = getattr(request.app.state, "oidc", None)
    try:
        if api_keys.is_api_key(credential):
            return await asyncio.to_thread(_key_principal, engine, credential)
        if verifier is not None and verifier.issued(credential):
            return await verifier.principal(credential)
        signing_key: SigningKey = request.app.state.signing_key
        claims = tokens.decode(await signing_key.get(), credential)
        enrol_only = claims.get("sf") == tokens.ENROL_ONLY
        return await asyncio.to_thread(
            _user_principal, engine, str(claims["sub"]), claims["gen"], enrol_only
        )
    except tokens.TokenInvalid as exc:
        raise unauthorized(str(exc), invalid_token=True) from None
    except oidc.Refused as exc:
        raise HTTPException(403, str(exc)) from None
    except oidc.IssuerUnavailable as exc:
        raise HTTPException(
            503, f"oidc issuer unavailable: cannot check its tokens ({exc})"
        ) from None
    except CredentialError:
        raise HTTPException(503, "vault unavailable: cannot check tokens") from None
    except SQLAlchemyError:
        raise HTTPException(503, "database unavailable: cannot check credentials") from None
