"""Per-app state of the OneRoster emulator: connections, caches and adjustable settings.

Routes are plain ``def`` functions that FastAPI runs in its thread pool, so each thread keeps its
own SQLite connection (sqlite3 connections must not be shared across threads mid-statement).
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sandbox.context import SystemContext
from sandbox.oneroster.schema import GRADEBOOK, ROSTERING, TABLES

DEFAULT_TOKEN_LIFETIME = 3600
DEFAULT_RATE_LIMIT = 200.0  # requests/second when the faults set none: high enough for benchmarks


@dataclass
class Runtime:
    ctx: SystemContext
    prefix: str
    json_sql: dict[str, str] = field(default_factory=dict)
    version: int = 0  # bumped on every write; keys the total-count cache
    counts: dict[tuple[Any, ...], int] = field(default_factory=dict)
    rng: random.Random = field(default_factory=random.Random)
    _local: threading.local = field(default_factory=threading.local)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _bucket: list[float] = field(default_factory=lambda: [0.0, 0.0])  # tokens, last refill

    def __post_init__(self) -> None:
        roster, gradebook = f"{self.prefix}{ROSTERING}", f"{self.prefix}{GRADEBOOK}"
        self.json_sql = {n: t.json_expression(roster, gradebook) for n, t in TABLES.items()}

    def conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self.ctx.connect()
            conn.row_factory = None  # tuples: the hot path only reads one string per row
            self._local.conn = conn
        return conn

    def changed(self) -> None:
        with self._lock:
            self.version += 1
            self.counts.clear()

    def count(self, sql: str, params: list[Any]) -> int:
        key = (self.version, sql, *params)
        cached = self.counts.get(key)
        if cached is None:
            cached = int(self.conn().execute(sql, params).fetchone()[0])
            if len(self.counts) > 10_000:
                self.counts.clear()
            self.counts[key] = cached
        return cached

    # -- settings that tests adjust (kept in the meta table so they survive a restart) --

    def setting(self, key: str, default: float) -> float:
        row = self.conn().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return float(row[0]) if row else default

    def set_setting(self, key: str, value: float) -> None:
        self.conn().execute(
            "INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, str(value)),
        )

    def token_lifetime(self) -> int:
        return int(self.setting("token_lifetime_seconds", DEFAULT_TOKEN_LIFETIME))

    # -- rate limiting: a token bucket refilled at the faults' rate (or the default) --

    def take_rate_token(self) -> float:
        """0 if the request may proceed, else the seconds until it may (for Retry-After)."""
        rate = self.ctx.faults.rate_limit_per_second or DEFAULT_RATE_LIMIT
        burst = max(1.0, rate)
        with self._lock:
            now = time.monotonic()
            tokens, last = self._bucket
            tokens = min(burst, tokens + (now - last) * rate) if last else burst
            if tokens >= 1.0:
                self._bucket[:] = [tokens - 1.0, now]
                return 0.0
            self._bucket[:] = [tokens, now]
            return (1.0 - tokens) / rate
