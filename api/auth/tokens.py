"""Short-lived access tokens for console users: JWT (pyjwt), HS256, key kept in Vault."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

ALGORITHM = "HS256"
ISSUER = "atrium"
AUDIENCE = "atrium-api"


class TokenInvalid(Exception):
    """The token cannot be trusted; the message says why without echoing the token."""


def issue(key: bytes, username: str, role: str, ttl: timedelta, *, generation: int) -> str:
    """``generation``: the user's ``token_generation``; once it moves on, this token is refused."""
    now = datetime.now(UTC)
    claims = {
        "sub": username,
        "gen": generation,
        "role": role,  # informative only: the role is re-read from the user row on every call
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def decode(key: bytes, token: str) -> dict[str, Any]:
    try:
        return jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],  # never trust the token's own "alg"
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "iss", "aud", "gen"]},
        )
    except jwt.ExpiredSignatureError:
        raise TokenInvalid("token expired") from None
    except jwt.InvalidTokenError as exc:
        raise TokenInvalid(f"token invalid: {type(exc).__name__}") from None
