"""Seeding the emulator's SQLite file from the generator, once.

The load goes into a side file with journaling off and one transaction, indexes are built after
the rows, then the file is renamed into place: a crash never leaves a half-seeded database and the
``1m`` size loads in seconds. If the file already holds the same (seed, size) nothing is done, so
state (mutations, gradebook writes) survives restarts.
"""

from __future__ import annotations

import gc
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from sandbox.generator import generate
from sandbox.oneroster import wire_catalog
from sandbox.oneroster.schema import TABLES, create_indexes, create_tables
from sandbox.oneroster.wire import Refs, class_terms

# Bumped whenever the stored wire form changes, so an older file is seeded again.
WIRE_VERSION = "2"


@dataclass(frozen=True)
class SeedReport:
    seeded: bool
    generate_seconds: float = 0.0
    load_seconds: float = 0.0
    rows: int = 0


def stored_identity(path: Path) -> tuple[str, str] | None:
    """The (seed, size) a database file was seeded with, or None if it is missing or unseeded."""
    if not path.exists():
        return None
    conn = sqlite3.connect(path)
    try:
        rows = dict(
            conn.execute("SELECT key, value FROM meta WHERE key IN ('seed', 'size', 'wire')")
        )
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()
    if "seed" not in rows or "size" not in rows or rows.get("wire") != WIRE_VERSION:
        return None
    return rows["seed"], rows["size"]


def ensure_seeded(path: Path, *, seed: int, size: str, prefix: str) -> SeedReport:
    if stored_identity(path) == (str(seed), size):
        return SeedReport(seeded=False)
    started = time.perf_counter()
    inst = generate(seed, size)
    generated = time.perf_counter()
    refs = Refs(prefix)
    loading = path.with_name(path.name + ".loading")
    loading.unlink(missing_ok=True)
    conn = sqlite3.connect(loading, isolation_level=None)
    rows = 0
    gc.disable()  # millions of short-lived tuples, no cycles: the collector only costs time here
    try:
        for pragma in (
            "journal_mode=OFF",
            "synchronous=OFF",
            "cache_size=-262144",
            "temp_store=MEMORY",
        ):
            conn.execute(f"PRAGMA {pragma}")
        create_tables(conn)
        conn.execute("BEGIN")
        batches = {
            "orgs": map(refs.org, inst.orgs),
            "academicSessions": map(refs.session, inst.sessions),
            "courses": map(refs.course, inst.courses),
            "classes": map(refs.klass, inst.classes),
            "users": map(refs.user, inst.people),
            "demographics": map(refs.demographics, inst.people),
            "enrollments": map(refs.enrollment, inst.enrollments),
            "lineItems": map(refs.line_item, inst.line_items),
            "results": map(refs.result, inst.results),
            "categories": map(wire_catalog.category, inst.categories),
            "scoreScales": (wire_catalog.score_scale(refs, r) for r in inst.score_scales),
            "assessmentLineItems": map(wire_catalog.assessment_item, inst.assessment_items),
            "assessmentResults": (
                wire_catalog.assessment_result(refs, r) for r in inst.assessment_results
            ),
            "resources": map(wire_catalog.resource, inst.resources),
        }
        for name, batch in batches.items():
            table = TABLES[name]
            width = 3 + len(table.columns) + (1 if table.stored_as_json else 0)
            marks = ",".join("?" * width)
            cursor = conn.executemany(f"INSERT INTO {name} VALUES ({marks})", batch)  # noqa: S608
            rows += cursor.rowcount
        conn.executemany("INSERT INTO class_terms VALUES (?, ?)", class_terms(inst.classes))
        conn.executemany("INSERT INTO course_resources VALUES (?, ?)", inst.course_resources)
        conn.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [
                ("seed", str(seed)),
                ("size", size),
                ("wire", WIRE_VERSION),
                ("seeded_at", time.strftime("%FT%TZ")),
            ],
        )
        conn.execute("COMMIT")
        create_indexes(conn)
        conn.execute("ANALYZE")  # lets the planner pick the dateLastModified index for deltas
    finally:
        gc.enable()
        conn.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.replace(loading, path)
    return SeedReport(
        seeded=True,
        generate_seconds=generated - started,
        load_seconds=time.perf_counter() - generated,
        rows=rows,
    )
