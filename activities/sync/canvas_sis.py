"""Bulk writes to Canvas: one SIS Import zip per batch, polled to completion.

Deactivations never hard-delete: an enrollment is concluded (``completed``), a course concluded
and a user suspended. ``processing_errors`` and warnings are traced back to the records of the
batch, so each failed record is quarantined with Canvas' own message.
"""

from __future__ import annotations

import asyncio
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from typing import Any

from activities.sync.writes import Heartbeat, WriteItem, WriteOutcome
from atrium.sync.store import SyncStore
from connectors.canonical.models import Enrollment
from connectors.canvas import CanvasClient, sis_csv
from connectors.canvas import mapping as rows
from connectors.canvas.models import SisImport

Render = Callable[[Any], list[str]]
# record type -> [(file, header, row renderer, status column, status when deactivating)]
FILES: dict[str, list[tuple[str, list[str], Render, int, str]]] = {
    "orgs": [("accounts.csv", sis_csv.ACCOUNTS_HEADER, rows.account_row, 3, "active")],
    "academicSessions": [("terms.csv", sis_csv.TERMS_HEADER, rows.term_row, 2, "active")],
    "classes": [
        ("courses.csv", sis_csv.COURSES_HEADER, rows.course_row, 5, "completed"),
        ("sections.csv", sis_csv.SECTIONS_HEADER, rows.section_row, 3, "active"),
    ],
    "users": [("users.csv", sis_csv.USERS_HEADER, rows.user_row, 7, "suspended")],
    "enrollments": [
        ("enrollments.csv", sis_csv.ENROLLMENTS_HEADER, rows.enrollment_row, 4, "completed")
    ],
}
ENROLLMENT_ERROR = re.compile(r"User ID: ([^,]*), Course ID: ([^,]*), Section ID: ([^,]*)")
POLL_SECONDS = 0.1


def render_zip(record_type: str, items: Sequence[WriteItem]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, header, render, status_column, deactivated in FILES[record_type]:
            out = io.StringIO()
            lines = []
            for item in items:
                row = render(item.record)
                if item.action == "deactivate":
                    row[status_column] = deactivated
                lines.append(row)
            sis_csv.write_csv(out, header, lines)
            archive.writestr(name, out.getvalue())
    return buffer.getvalue()


def _record_ids(
    record_type: str, items: Sequence[WriteItem]
) -> tuple[set[str], dict[tuple[str, str], str]]:
    ids = {item.source_id for item in items}
    pairs: dict[tuple[str, str], str] = {}
    if record_type == "enrollments":
        for item in items:
            record = item.record
            assert isinstance(record, Enrollment)
            pairs[(record.person_id, record.class_id)] = item.source_id
    return ids, pairs


def trace_errors(record_type: str, items: Sequence[WriteItem], result: SisImport) -> dict[str, str]:
    """Each processing error or warning, attributed to the records of the batch it names."""
    ids, pairs = _record_ids(record_type, items)
    failed: dict[str, str] = {}
    for entry in [*result.processing_errors, *result.processing_warnings]:
        text = entry[-1] if entry else ""
        hit = ENROLLMENT_ERROR.search(text)
        if hit and record_type == "enrollments":
            sid = pairs.get((hit.group(1).strip(), hit.group(3).strip() or hit.group(2).strip()))
            if sid:
                failed[sid] = text
                continue
        for token in re.findall(r"[\w.@:-]+", text):
            if token in ids:
                failed[token] = text
    if result.workflow_state in ("failed", "failed_with_messages", "aborted") and not failed:
        reason = "; ".join(e[-1] for e in result.processing_errors[:3]) or result.workflow_state
        failed = {sid: f"SIS import {result.id} {result.workflow_state}: {reason}" for sid in ids}
    return failed


class CanvasBulk:
    def __init__(self, client: CanvasClient, store: SyncStore, heartbeat: Heartbeat) -> None:
        self.client = client
        self.store = store
        self.heartbeat = heartbeat

    async def write(
        self, record_type: str, items: Sequence[WriteItem], batch_key: str
    ) -> WriteOutcome:
        if record_type not in FILES:
            return WriteOutcome(
                failed={i.source_id: f"canvas has no place for {record_type}" for i in items}
            )
        done = self.store.outcome(batch_key)  # a retried activity polls the import it started
        if done and done.startswith("sis_import:"):
            import_id = int(done.split(":", 1)[1])
        else:
            data = await asyncio.to_thread(render_zip, record_type, items)
            started = await self.client.create_sis_import(data, extension="zip")
            import_id = started.id
            self.store.record([(batch_key, f"sis_import:{import_id}")])
        result = await self._wait(import_id)
        failed = trace_errors(record_type, items, result)
        written = {i.source_id: None for i in items if i.source_id not in failed}
        return WriteOutcome(target_ids=written, failed=failed)  # type: ignore[arg-type]

    async def _wait(self, import_id: int) -> SisImport:
        while True:
            found = await self.client.get_sis_import(import_id)
            if found.finished:
                return found
            self.heartbeat(f"sis_import:{import_id}:{found.workflow_state}:{found.progress}")
            await asyncio.sleep(POLL_SECONDS)
