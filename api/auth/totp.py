"""A second factor for console users: time-based one-time codes (TOTP, RFC 6238, ``pyotp``).

The seed lives in Vault only (``second-factor/users/<username>``; while an enrolment waits for its
first code, ``second-factor/pending/<username>``); the store keeps when it was confirmed and the
last time step whose code was accepted, so each code opens at most one login (a code read over a
shoulder, or replayed, is refused). Codes of the previous and next step are accepted too, for
clocks a little apart.

After a right password an enrolled account gets a challenge, not a token: a JWT for the audience
``atrium-second-factor`` (never accepted as an access token), bound to the account's token
generation, that the code is sent with.
"""

from __future__ import annotations

import asyncio
import hmac
import io
import re
import time
from datetime import timedelta

import pyotp
import segno
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, or_

from api.auth import tokens
from atrium.credentials import Credentials, SecretNotFound
from atrium.models import User
from atrium.models.integration import utcnow
from atrium.models.user import MAX_GENERATION

ISSUER = "Atrium"  # the name authenticator apps show beside the account
STEP_SECONDS = 30
CODE = re.compile(r"^[0-9]{6}$")
CHALLENGE_TTL = timedelta(minutes=5)


def _path(state: str, username: str) -> str:
    # Usernames match atrium.models.user.USERNAME: no "/", so one name is one path.
    if "/" in username or not username:
        raise ValueError("username: not a valid account name")
    return f"second-factor/{state}/{username}"


def new_seed() -> str:
    return pyotp.random_base32()  # 160 bits, as RFC 4226 recommends


def otpauth_uri(seed: str, username: str) -> str:
    return pyotp.TOTP(seed).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """A standalone SVG document (with its namespace, so it also shows as an image)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(
        out, kind="svg", xmldecl=False, scale=4, dark="#000", light="#fff"
    )
    return out.getvalue().decode()


def matching_step(seed: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code ``code`` is (this one, the one before or after), or None."""
    code = code.strip()
    if not CODE.match(code):
        return None
    totp, step = pyotp.TOTP(seed), int((time.time() if now is None else now) // STEP_SECONDS)
    for candidate in (step, step - 1, step + 1):
        if hmac.compare_digest(totp.at(candidate * STEP_SECONDS), code):
            return candidate
    return None


def _take_step(engine: Engine, username: str, step: int, confirm: bool) -> bool:
    """Record ``step`` as used, unless it (or a later one) already was: one UPDATE, so two
    requests racing with the same code cannot both win."""
    values: dict[str, object] = {"second_factor_step": step}
    if confirm:
        values |= {
            "second_factor_at": utcnow(),
            "token_generation": (User.token_generation + 1) % MAX_GENERATION,
        }
    query = (
        update(User)
        .where(col(User.username) == username)
        .where(or_(col(User.second_factor_step).is_(None), col(User.second_factor_step) < step))
        .values(**values)
    )
    with Session(engine) as session:
        taken = session.exec(query).rowcount == 1  # type: ignore[call-overload]
        session.commit()
    return taken


class SecondFactors:
    """Seeds in Vault and codes checked against them, for one API process."""

    def __init__(self, credentials: Credentials, engine: Engine) -> None:
        self.credentials, self.engine = credentials, engine

    async def begin(self, username: str) -> str:
        """A new seed waiting for its first code; returns the otpauth URI (shown once)."""
        seed = new_seed()
        await self.credentials.store_at(_path("pending", username), {"seed": seed})
        return otpauth_uri(seed, username)

    async def confirm(self, username: str, code: str) -> bool:
        """Make the pending seed the account's factor if ``code`` is its current code. The
        account's tokens are revoked: its sessions were opened without the factor."""
        try:
            seed = (await self.credentials.read_at(_path("pending", username)))["seed"]
        except SecretNotFound:
            return False
        step = matching_step(seed, code)
        if step is None:
            return False
        await self.credentials.store_at(_path("users", username), {"seed": seed})
        # A factor reset earlier left no step behind: the first code is taken like any other.
        taken = await asyncio.to_thread(_take_step, self.engine, username, step, True)
        if taken:
            await self.credentials.delete_at(_path("pending", username))
        return taken

    async def verify(self, username: str, code: str) -> bool:
        """Whether ``code`` is the account's code now, and was not used before."""
        try:
            seed = (await self.credentials.read_at(_path("users", username)))["seed"]
        except SecretNotFound:
            return False
        step = matching_step(seed, code)
        if step is None:
            return False
        return await asyncio.to_thread(_take_step, self.engine, username, step, False)

    async def remove(self, username: str) -> None:
        """Forget the account's factor (seed, pending seed); the caller clears the row."""
        for state in ("users", "pending"):
            await self.credentials.delete_at(_path(state, username))


def challenge(key: bytes, user: User) -> str:
    return tokens.issue(
        key, user.username, user.role, CHALLENGE_TTL,
        generation=user.token_generation, audience=tokens.CHALLENGE_AUDIENCE,
    )  # fmt: skip


def challenged(key: bytes, token: str) -> tuple[str, int]:
    """The username and token generation a challenge was issued for (TokenInvalid if none)."""
    claims = tokens.decode(key, token, audience=tokens.CHALLENGE_AUDIENCE)
    return str(claims["sub"]), int(claims["gen"])
