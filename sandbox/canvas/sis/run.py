"""State shared by the importers while one SIS import runs: messages, counts and id caches."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

_BATCH = 500  # SQLite's bound-parameter limit is far above this; keeps IN lists cheap


class Columns:
    """Column positions of one CSV file, so a row is read by name without building a dict."""

    def __init__(self, header: list[str]) -> None:
        self.index = {name: i for i, name in enumerate(header)}

    def getter(self, name: str) -> Callable[[list[str]], str]:
        i = self.index.get(name)
        if i is None:
            return lambda row: ""
        return lambda row: row[i].strip() if i < len(row) else ""


@dataclass
class ImportRun:
    import_id: int
    conn: sqlite3.Connection
    errors: list[list[str]] = field(default_factory=list)
    warnings: list[list[str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)  # sis_user_id -> user id
    course_ids: dict[str, int] = field(default_factory=dict)  # sis_course_id -> course id
    section_ids: dict[str, tuple[int, int]] = field(default_factory=dict)  # -> (section, course)
    account_ids: dict[str, int] = field(default_factory=dict)
    term_ids: dict[str, int] = field(default_factory=dict)
    default_sections: dict[int, int] = field(default_factory=dict)  # course id -> section id

    def error(self, file: str, message: str) -> None:
        self.errors.append([file, message])

    def warning(self, file: str, message: str) -> None:
        self.warnings.append([file, message])

    def count(self, kind: str, n: int) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + n

    def fill(self, cache: dict[str, Any], sql: str, keys: Iterable[str], pack: Any = None) -> None:
        """Load into ``cache`` the ``keys`` it lacks; ``sql`` selects (key, value...)"
        " with IN ({})."""
        missing = list({k for k in keys if k and k not in cache})
        for start in range(0, len(missing), _BATCH):
            batch = missing[start : start + _BATCH]
            query = sql.format(",".join("?" * len(batch)))
            for row in self.conn.execute(query, batch):
                cache[row[0]] = pack(row) if pack else row[1]

    def next_id(self, table: str) -> int:
        """The next free id; called inside a write transaction, so no one else can take it."""
        return int(self.conn.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").fetchone()[0])  # noqa: S608
