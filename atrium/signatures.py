"""HMAC-SHA256 signatures over ``<timestamp>.<body>``, as Atrium checks them on inbound webhooks
and puts them on outbound events (so a subscriber verifies exactly like a source signs).

Senders put the same signature in their headers in one of two layouts, each described by a
``HeaderFormat`` (a vendor whose header differs gets one more small declaration, no code):

- ``pairs`` (Stripe-style): ``<Header>: t=<unix>,v1=<hex>`` (several ``v1`` allowed, so a sender
  can sign with an old and a new secret while rotating). Atrium's own ``Atrium-Signature`` and
  the proctoring platform's ``X-Proctor-Signature`` use it.
- ``prefixed`` (GitHub-style): ``X-Hub-Signature-256: sha256=<hex>`` plus ``X-Atrium-Timestamp:
  <unix>``. Unlike GitHub itself the timestamp is signed too, or the replay window would protect
  nothing.

Headers come from anyone on the internet, so they are parsed with a strict grammar before any
number or comparison is made of them: ASCII only, bounded lengths, ``t`` 1-12 digits, ``v1``
exactly 64 lowercase hex digits, a few ``v1`` at most. Anything else is malformed (400); a
missing, forged or stale signature is 401.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

ATRIUM_HEADER = "Atrium-Signature"
GITHUB_HEADER = "X-Hub-Signature-256"
TIMESTAMP_HEADER = "X-Atrium-Timestamp"

MAX_HEADER_LENGTH = 512  # t= (12 digits) and 5 v1= entries fit in ~360 characters
MAX_SIGNATURES = 5  # rotation needs two; a few more leave room for a sender's overlap
_TIMESTAMP = re.compile(r"[0-9]{1,12}", re.ASCII)
_DIGEST = re.compile(r"[0-9a-f]{64}", re.ASCII)


@dataclass(frozen=True)
class HeaderFormat:
    """Where one kind of sender puts the timestamp and signatures."""

    header: str
    layout: Literal["pairs", "prefixed"] = "pairs"
    timestamp_header: str | None = None  # ``prefixed`` only: the header with the timestamp
    prefix: str = ""  # ``prefixed`` only: what comes before the hex digest, e.g. "sha256="


ATRIUM = HeaderFormat(ATRIUM_HEADER)
GITHUB = HeaderFormat(GITHUB_HEADER, "prefixed", TIMESTAMP_HEADER, "sha256=")
FORMATS = {"atrium": ATRIUM, "github": GITHUB}  # the schemes a webhook source may choose


class SignatureError(Exception):
    """The request is unsigned, malformed, forged or outside the replay window; ``status`` is
    the answer and ``header`` the header at fault. The reason never quotes the header's value."""

    def __init__(self, reason: str, status: int = 401, header: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.header = header


@dataclass(frozen=True)
class Signed:
    timestamp: int
    signatures: tuple[str, ...]


def compute(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _format(scheme: str | HeaderFormat) -> HeaderFormat:
    return scheme if isinstance(scheme, HeaderFormat) else FORMATS[scheme]


def sign_headers(
    secret: str, timestamp: int, body: bytes, scheme: str | HeaderFormat = "atrium"
) -> dict[str, str]:
    fmt, digest = _format(scheme), compute(secret, timestamp, body)
    if fmt.layout == "prefixed":
        assert fmt.timestamp_header is not None
        return {fmt.header: f"{fmt.prefix}{digest}", fmt.timestamp_header: str(timestamp)}
    return {fmt.header: f"t={timestamp},v1={digest}"}


def _malformed(header: str, what: str) -> SignatureError:
    return SignatureError(f"{header}: malformed: {what}", 400, header)


def _one(headers: Mapping[str, str], name: str) -> str | None:
    """The header's only value: a request repeating a signature header is malformed."""
    getlist = getattr(headers, "getlist", None) or getattr(headers, "get_list", None)
    values = list(getlist(name)) if getlist else ([headers[name]] if name in headers else [])
    if len(values) > 1:
        raise _malformed(name, "sent more than once")
    if not values:
        return None
    value = values[0]
    if len(value) > MAX_HEADER_LENGTH:
        raise _malformed(name, f"longer than {MAX_HEADER_LENGTH} characters")
    if not value.isascii() or not value.isprintable():
        raise _malformed(name, "not printable ASCII")
    return value.strip(" \t")


def _timestamp(header: str, value: str) -> int:
    if not _TIMESTAMP.fullmatch(value):
        raise _malformed(header, "the timestamp must be 1-12 ASCII digits (unix seconds)")
    return int(value)


def _digest(header: str, value: str) -> str:
    if not _DIGEST.fullmatch(value):
        raise _malformed(header, "a signature must be 64 lowercase hex digits")
    return value


def _pairs(header: str, value: str) -> Signed:
    stamp: int | None = None
    digests: list[str] = []
    for part in value.split(","):
        key, sep, item = part.strip(" \t").partition("=")
        if not sep:
            raise _malformed(header, "expected 't=<unix>,v1=<hex>'")
        if key == "t":
            if stamp is not None:
                raise _malformed(header, "more than one t=")
            stamp = _timestamp(header, item)
        elif key == "v1":
            if len(digests) == MAX_SIGNATURES:
                raise _malformed(header, f"more than {MAX_SIGNATURES} v1 signatures")
            digests.append(_digest(header, item))
        else:
            raise _malformed(header, "only t= and v1= are allowed")
    if stamp is None:
        raise _malformed(header, "no t= timestamp")
    if not digests:
        raise _malformed(header, "no v1= signature")
    return Signed(stamp, tuple(digests))


def parse(headers: Mapping[str, str], scheme: str | HeaderFormat) -> Signed:
    """The timestamp and candidate signatures a request carries (header lookups are
    case-insensitive on Starlette's and httpx's header mappings)."""
    fmt = _format(scheme)
    value = _one(headers, fmt.header)
    if not value:
        raise SignatureError(f"{fmt.header}: missing: the request is not signed", 401, fmt.header)
    if fmt.layout == "pairs":
        return _pairs(fmt.header, value)
    if not value.startswith(fmt.prefix):
        raise _malformed(fmt.header, f"must be '{fmt.prefix}<hex>'")
    digest = _digest(fmt.header, value.removeprefix(fmt.prefix))
    assert fmt.timestamp_header is not None
    stamp = _one(headers, fmt.timestamp_header)
    if not stamp:
        raise _malformed(fmt.timestamp_header, "missing")
    return Signed(_timestamp(fmt.timestamp_header, stamp), (digest,))


def verify(
    signed: Signed,
    secret: str,
    body: bytes,
    now: float,
    tolerance: int,
    header: str = ATRIUM_HEADER,
) -> None:
    """Raise ``SignatureError`` unless one signature matches and the timestamp is fresh.

    The signature is checked first so an attacker learns nothing about the window from a forgery.
    """
    expected = compute(secret, signed.timestamp, body).encode()
    # compare_digest on every candidate: constant time whatever the position of a match. Bytes,
    # because compare_digest refuses non-ASCII str (``parse`` admits only hex, but a caller may
    # build a ``Signed`` itself).
    matches = [
        hmac.compare_digest(expected, c.encode("utf-8", "replace")) for c in signed.signatures
    ]
    if not any(matches):
        raise SignatureError(f"{header}: signature does not match the body", 401, header)
    if abs(now - signed.timestamp) > tolerance:
        raise SignatureError(
            f"{header}: timestamp outside the {tolerance} s replay window", 401, header
        )
