"""What an emulated external function is: its parameter description and its implementation."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sandbox.context import SystemContext
from sandbox.moodle.params import Single


@dataclass
class Site:
    """What a function may touch: the site's database and its context (URL, seed)."""

    conn: sqlite3.Connection
    ctx: SystemContext
    wwwroot: str = "http://127.0.0.1/moodle"
    # The service's functions, as in the token's service (core_webservice_get_site_info lists them)
    functions: Mapping[str, ExternalFunction] = field(default_factory=dict)


Handler = Callable[[Site, dict[str, Any]], Any]


@dataclass(frozen=True)
class ExternalFunction:
    name: str
    parameters: Single
    handler: Handler
    # Moodle's function version in get_site_info is the component version; one is enough here.
    version: str = "2024100700"


def placeholders(values: list[Any]) -> str:
    return ",".join("?" * len(values))
