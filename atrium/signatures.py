"""HMAC-SHA256 signatures over ``<timestamp>.<body>``, as Atrium checks them on inbound webhooks
and puts them on outbound events (so a subscriber verifies exactly like a source signs).

Two header styles carry the same signature:

- ``atrium`` (Stripe-style): ``Atrium-Signature: t=<unix>,v1=<hex>`` (several ``v1`` allowed,
  so a sender can sign with an old and a new secret while rotating);
- ``github``: ``X-Hub-Signature-256: sha256=<hex>`` plus ``X-Atrium-Timestamp: <unix>``. Unlike
  GitHub itself the timestamp is signed too, or the replay window would protect nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

ATRIUM_HEADER = "Atrium-Signature"
GITHUB_HEADER = "X-Hub-Signature-256"
TIMESTAMP_HEADER = "X-Atrium-Timestamp"


class SignatureError(Exception):
    """The request is unsigned, forged or outside the replay window; ``status`` is the answer."""

    def __init__(self, reason: str, status: int = 401) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class Signed:
    timestamp: int
    signatures: tuple[str, ...]


def compute(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign_headers(
    secret: str, timestamp: int, body: bytes, scheme: str = "atrium"
) -> dict[str, str]:
    digest = compute(secret, timestamp, body)
    if scheme == "github":
        return {GITHUB_HEADER: f"sha256={digest}", TIMESTAMP_HEADER: str(timestamp)}
    return {ATRIUM_HEADER: f"t={timestamp},v1={digest}"}


def _timestamp(value: str | None) -> int:
    if value is None or not value.strip().isdigit():
        raise SignatureError("signature: missing or malformed timestamp", 400)
    return int(value.strip())


def parse(headers: Mapping[str, str], scheme: str) -> Signed:
    """The timestamp and candidate signatures a request carries (header lookups are
    case-insensitive on Starlette's and httpx's header mappings)."""
    if scheme == "github":
        value = headers.get(GITHUB_HEADER)
        if not value:
            raise SignatureError(f"signature: missing {GITHUB_HEADER} header")
        algo, _, digest = value.partition("=")
        if algo != "sha256" or not digest:
            raise SignatureError(f"signature: {GITHUB_HEADER} must be 'sha256=<hex>'", 400)
        return Signed(_timestamp(headers.get(TIMESTAMP_HEADER)), (digest.strip(),))
    value = headers.get(ATRIUM_HEADER)
    if not value:
        raise SignatureError(f"signature: missing {ATRIUM_HEADER} header")
    stamp: str | None = None
    digests = []
    for part in value.split(","):
        key, _, item = part.strip().partition("=")
        if key == "t":
            stamp = item
        elif key == "v1" and item:
            digests.append(item)
    if not digests:
        raise SignatureError(f"signature: {ATRIUM_HEADER} has no v1 signature", 400)
    return Signed(_timestamp(stamp), tuple(digests))


def verify(signed: Signed, secret: str, body: bytes, now: float, tolerance: int) -> None:
    """Raise ``SignatureError`` unless one signature matches and the timestamp is fresh.

    The signature is checked first so an attacker learns nothing about the window from a forgery.
    """
    expected = compute(secret, signed.timestamp, body).encode()
    # compare_digest on every candidate: constant time whatever the position of a match. Bytes,
    # because compare_digest refuses non-ASCII str (a header may hold any latin-1 character).
    matches = [hmac.compare_digest(expected, c.encode()) for c in signed.signatures]
    if not any(matches):
        raise SignatureError("signature: does not match the body")
    if abs(now - signed.timestamp) > tolerance:
        raise SignatureError(f"signature: timestamp outside the {tolerance} s replay window")
