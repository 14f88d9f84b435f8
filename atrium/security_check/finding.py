"""One finding of the security assessment, and what every check is given to look at."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine

from atrium.credentials import Credentials
from atrium.egress import Resolver, system_resolve
from atrium.settings import Settings

Severity = Literal["high", "medium", "low", "info"]
SEVERITIES: tuple[Severity, ...] = ("high", "medium", "low", "info")  # most urgent first


class Finding(BaseModel):
    severity: Severity
    kind: str = Field(description="which check found it, e.g. integration.plain_http")
    subject: str = Field(description="the thing concerned, e.g. integration 'sis'")
    detail: str = Field(description="what is wrong")
    fix: str = Field(description="how to fix it")

    def line(self) -> str:
        return f"{self.severity.upper()} {self.kind} {self.subject}: {self.detail}. Fix: {self.fix}"


@dataclass(frozen=True)
class Context:
    """What the checks read: the store, Vault (metadata only) and the settings."""

    settings: Settings
    engine: Engine
    credentials: Credentials
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    resolve: Resolver = system_resolve  # how subscriber host names are resolved


def as_utc(value: datetime) -> datetime:
    """SQLite gives back naive datetimes; every one Atrium stores is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def plain_http_to_remote(url: str) -> bool:
    """An http:// URL whose host is not this machine: what travels on it can be read on the way."""
    parts = urlsplit(url)
    if parts.scheme != "http":
        return False
    host = (parts.hostname or "").rstrip(".")
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True  # a name: it leaves the machine
