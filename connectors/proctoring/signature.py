"""Verify the proctoring platform's webhook signatures.

Header ``X-Proctor-Signature: t=<unix seconds>,v1=<hex>`` where ``v1`` is HMAC-SHA256 of
``f"{t}." + raw body`` keyed with the endpoint secret. Several ``v1`` values may be present while
a secret is being rolled; one match is enough. Old timestamps are refused so a captured
delivery cannot be replayed.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Proctor-Signature"


class InvalidSignature(Exception):  # noqa: N818 - the name reads as what happened
    """The webhook is forged, altered, replayed or unsigned: answer 400 and drop it."""


def verify_signature(
    secret: str,
    header: str | None,
    body: bytes,
    tolerance: float = 300.0,
    *,
    now: float | None = None,
) -> int:
    """Check ``header`` against ``body``: the signed timestamp, or ``InvalidSignature``."""
    if not header:
        raise InvalidSignature("missing signature header")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError as exc:
                raise InvalidSignature("timestamp is not an integer") from exc
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        raise InvalidSignature("signature header needs t= and v1=")
    age = (time.time() if now is None else now) - timestamp
    if abs(age) > tolerance:
        raise InvalidSignature(
            f"timestamp is {age:.0f}s away from now (tolerance {tolerance:.0f}s)"
        )
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise InvalidSignature("no v1 signature matches the body")
    return timestamp
