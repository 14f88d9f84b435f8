"""Run one SIS import: states created -> importing -> imported / imported_with_messages / failed*.

The work happens in a worker thread on its own SQLite connection, one transaction per chunk of
rows, so the API keeps answering (and polling sees progress) while a million rows go in.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import zipfile
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.canvas.db import Database, now_iso, transaction
from sandbox.canvas.sis.diffing import Differ
from sandbox.canvas.sis.enrollments import apply_enrollments
from sandbox.canvas.sis.people import apply_logins, apply_users
from sandbox.canvas.sis.reader import CsvFile, Upload
from sandbox.canvas.sis.run import ImportRun
from sandbox.canvas.sis.structure import apply_accounts, apply_courses, apply_sections, apply_terms

if TYPE_CHECKING:
    from sandbox.canvas.state import CanvasState

log = logging.getLogger(__name__)

CHUNK_ROWS = 10_000
MAX_MESSAGES = 1_000  # keep the stored lists bounded; the counts say how many there were
Applier = Callable[[ImportRun, CsvFile, list[list[str]]], None]
APPLIERS: dict[str, Applier] = {
    "account": apply_accounts,
    "term": apply_terms,
    "course": apply_courses,
    "section": apply_sections,
    "user": apply_users,
    "login": apply_logins,
    "enrollment": apply_enrollments,
}
COUNT_KEYS = (
    "accounts",
    "terms",
    "abstract_courses",
    "courses",
    "sections",
    "xlists",
    "users",
    "logins",
    "enrollments",
    "admins",
    "group_categories",
    "groups",
    "group_memberships",
    "grade_publishing_results",
    "user_observers",
    "change_sis_ids",
)


def _chunks(rows: Iterator[list[str]]) -> Iterator[list[list[str]]]:
    while chunk := list(islice(rows, CHUNK_ROWS)):
        yield [row for row in chunk if any(cell.strip() for cell in row)]  # skip blank lines


def _previous_import(conn: sqlite3.Connection, data_set: str, import_id: int) -> int | None:
    row = conn.execute(
        "SELECT id FROM sis_imports WHERE diffing_data_set_identifier = ? AND id < ? AND"
        " workflow_state IN ('imported', 'imported_with_messages') ORDER BY id DESC LIMIT 1",
        (data_set, import_id),
    ).fetchone()
    return int(row[0]) if row else None


def process(db: Database, import_id: int) -> None:
    conn = db.new_conn()
    try:
        _process(conn, import_id)
    except Exception as exc:  # a bug or a broken file must end the import, not leave it hanging
        log.exception("SIS import %s failed", import_id)
        _finish(
            conn,
            import_id,
            "failed_with_messages",
            None,
            [["sis_import", f"Error while importing CSV: {exc}"]],
            [],
        )
    finally:
        conn.close()


def _process(conn: sqlite3.Connection, import_id: int) -> None:
    batch = conn.execute("SELECT * FROM sis_imports WHERE id = ?", (import_id,)).fetchone()
    options = json.loads(batch["options"])
    upload = Upload(Path(batch["file_path"]), batch["extension"])
    run = ImportRun(import_id, conn)
    try:
        files = upload.files()
    except (zipfile.BadZipFile, OSError, UnicodeDecodeError) as exc:
        _finish(
            conn,
            import_id,
            "failed_with_messages",
            None,
            [["sis_import", f"Invalid upload: {exc}"]],
            [],
        )
        return
    data_set = batch["diffing_data_set_identifier"]
    differ = None
    if data_set:
        against = (
            None if options.get("diffing_remaster") else _previous_import(conn, data_set, import_id)
        )
        differ = Differ(conn, data_set, import_id, against)
        conn.execute(
            "UPDATE sis_imports SET diffed_against_import_id = ? WHERE id = ?", (against, import_id)
        )
    supplied = sorted({f.kind for f in files if f.kind})
    conn.execute(
        "UPDATE sis_imports SET supplied_batches = ? WHERE id = ?",
        (json.dumps(supplied), import_id),
    )
    total = max(1, sum(f.size for f in files))
    for file in files:
        if file.kind is None:
            run.error(file.name, "Couldn't find Canvas CSV import headers")
            continue
        apply = APPLIERS[file.kind]
        for chunk in _chunks(upload.rows(file.member)):
            with transaction(conn):
                rows = differ.filter(file, chunk) if differ else chunk
                apply(run, file, rows)
            percent = min(99, upload.bytes_read[0] * 100 // total)
            conn.execute(
                "UPDATE sis_imports SET progress = ?, updated_at = ? WHERE id = ?",
                (percent, now_iso(), import_id),
            )
    if differ and not options.get("skip_deletes"):
        with transaction(conn):
            differ.drop_omitted(options.get("diffing_drop_status") or "deleted")
    if not any(f.kind for f in files):
        state = "failed_with_messages"
    elif run.errors or run.warnings:
        state = "imported_with_messages"
    else:
        state = "imported"
    counts = {key: run.counts.get(key, 0) for key in COUNT_KEYS}
    counts["error_count"], counts["warning_count"] = len(run.errors), len(run.warnings)
    _finish(conn, import_id, state, counts, run.errors, run.warnings)


def _finish(
    conn: sqlite3.Connection,
    import_id: int,
    state: str,
    counts: dict[str, int] | None,
    errors: list[list[str]],
    warnings: list[list[str]],
) -> None:
    stamp = now_iso()
    conn.execute(
        "UPDATE sis_imports SET workflow_state = ?, progress = 100, counts = ?,"
        " processing_errors = ?,"
        " processing_warnings = ?, updated_at = ?, ended_at = ? WHERE id = ?",
        (
            state,
            json.dumps(counts) if counts is not None else None,
            json.dumps(errors[:MAX_MESSAGES]),
            json.dumps(warnings[:MAX_MESSAGES]),
            stamp,
            stamp,
            import_id,
        ),
    )


async def run_import(state: CanvasState, import_id: int) -> None:
    """Queue behind other jobs, then process in a worker thread."""
    async with state.job_lock:
        state.db.conn().execute(
            "UPDATE sis_imports SET workflow_state = 'importing', updated_at = ? WHERE id = ?",
            (now_iso(), import_id),
        )
        await asyncio.to_thread(process, state.db, import_id)
