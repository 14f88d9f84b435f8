"""API keys: ``atr_`` + 256 random bits. Only the sha256 of a key is stored: the key has so much
entropy that a plain hash cannot be brute-forced, and a hash lookup finds the row in one query."""

from __future__ import annotations

import hashlib
import secrets

KEY_PREFIX = "atr_"


def generate() -> tuple[str, str, str]:
    """A new key: (the key, its display prefix, its hash)."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    return key, key[:12], hash_key(key)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def is_api_key(credential: str) -> bool:
    return credential.startswith(KEY_PREFIX)
