"""Codes of a test account's second factor, computed as an authenticator app would (pyotp)."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pyotp

STEP = 30


def seed_of(otpauth_uri: str) -> str:
    return parse_qs(urlsplit(otpauth_uri).query)["secret"][0]


def steady_step(margin: float = 2.0) -> None:
    """Wait, if needed, until the current 30-second step has ``margin`` seconds left, so a code
    computed now is still this step's when the API checks it."""
    left = STEP - time.time() % STEP
    if left < margin:
        time.sleep(left + 0.05)


def code(seed: str, steps_from_now: int = 0) -> str:
    """The code of the step ``steps_from_now`` away: the API takes the previous, current and
    next step, and never one at or before the last it took, so a test logging in several times
    within one step uses -1, then 0, then +1."""
    return pyotp.TOTP(seed).at(time.time() + steps_from_now * STEP)
