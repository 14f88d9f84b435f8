"""What every emulated system gets: where its state lives, its credentials and its faults."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, Field


class Faults(BaseModel):
    """Faults injected into one system through ``PUT /_control/faults/{system}``."""

    latency_ms: int = Field(0, ge=0, le=60_000)
    error_rate: float = Field(0.0, ge=0.0, le=1.0)  # share of answers that are a 5xx
    timeout_rate: float = Field(0.0, ge=0.0, le=1.0)  # share of requests that hang
    timeout_seconds: float = Field(30.0, ge=0.0, le=600.0)
    rate_limit_per_second: float | None = Field(None, gt=0)  # stricter limit than the default
    malformed_rate: float = Field(0.0, ge=0.0, le=1.0)  # share of records returned malformed


@dataclass
class SystemContext:
    """One emulated system's state folder, credentials and live fault settings."""

    name: str
    data_dir: Path
    seed: int = 42
    size: str = "demo"
    credentials: dict[str, str] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)

    def db_path(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir / f"{self.name}.db"

    def connect(self) -> sqlite3.Connection:
        """A connection to this system's own SQLite file (WAL, so readers never block)."""
        conn = sqlite3.connect(self.db_path(), check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.row_factory = sqlite3.Row
        return conn
