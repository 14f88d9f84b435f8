"""Short-lived access tokens for console users: JWT (pyjwt), HS256, key kept in Vault."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

ALGORITHM = "HS256"
ISSUER = "atrium"
AUDIENCE = "atrium-api"
# A password accepted, a second factor still owed: a token for that one step, never an access token.
CHALLENGE_AUDIENCE = "atrium-second-factor"
ENROL_ONLY = "enrol"  # claim "sf" of a session that may only enrol a second factor


class TokenInvalid(Exception):
    """The token cannot be trusted; the message says why without echoing the token."""


def issue(
    key: bytes,
    username: str,
    role: str,
    ttl: timedelta,
    *,
    generation: int,
    enrol_only: bool = False,
    audience: str = AUDIENCE,
) -> str:
    """``generation``: the user's ``token_generation``; once it moves on, this token is refused.
    ``enrol_only``: the account must enrol a second factor before it may do anything else."""
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": username,
        "gen": generation,
        "role": role,  # informative only: the role is re-read from the user row on every call
        "iss": ISSUER,
        "aud": audience,
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
    }
    if enrol_only:
        claims["sf"] = ENROL_ONLY
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def decode(key: bytes, token: str, audience: str = AUDIENCE) -> dict[str, Any]:
    try:
        return jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],  # never trust the token's own "alg"
            audience=audience,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "iss", "aud", "gen"]},
        )
    except jwt.ExpiredSignatureError:
        raise TokenInvalid("token expired") from None
    except jwt.InvalidTokenError as exc:
        raise TokenInvalid(f"token invalid: {type(exc).__name__}") from None
