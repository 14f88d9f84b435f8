"""Canonical records written to Canvas in bulk: one SIS Import zip per batch, and the import's
messages traced back to the records they name.

Deactivations never hard-delete: an enrollment is concluded (``completed``), a course concluded
and a user suspended; schools, terms and sections stay active.
"""

from __future__ import annotations

import asyncio
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from typing import Any, Literal

from pydantic import BaseModel

from connectors.actions import action
from connectors.canonical.models import AcademicSession, Class, Enrollment, Org, Person
from connectors.canvas import mapping as rows
from connectors.canvas import sis_csv
from connectors.canvas.models import SisImport
from connectors.canvas.sis_imports import SisImportsApi

SisRecordType = Literal["orgs", "academicSessions", "classes", "users", "enrollments"]
SisRecord = Org | AcademicSession | Class | Person | Enrollment


class SisRow(BaseModel):
    """One record of a bulk batch; ``deactivate`` writes it concluded/suspended instead."""

    record: SisRecord
    deactivate: bool = False


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
FAILED_STATES = ("failed", "failed_with_messages", "aborted")


def importable(record_type: str) -> bool:
    """Whether Canvas has a place for records of ``record_type``."""
    return record_type in FILES


def render_zip(record_type: str, batch: Sequence[SisRow]) -> bytes:
    """The SIS Import zip of one batch of records of ``record_type``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, header, render, status_column, deactivated in FILES[record_type]:
            lines = []
            for row in batch:
                line = render(row.record)
                if row.deactivate:
                    line[status_column] = deactivated
                lines.append(line)
            out = io.StringIO()
            sis_csv.write_csv(out, header, lines)
            archive.writestr(name, out.getvalue())
    return buffer.getvalue()


def failures(record_type: str, batch: Sequence[SisRow], result: SisImport) -> dict[str, str]:
    """Each processing error or warning of ``result``, by the source id of the record of the
    batch it names; a failed import with no message naming a record fails them all."""
    ids = {row.record.source_id for row in batch}
    pairs: dict[tuple[str, str], str] = {}
    if record_type == "enrollments":
        for row in batch:
            if isinstance(row.record, Enrollment):
                pairs[(row.record.person_id, row.record.class_id)] = row.record.source_id
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
    if result.workflow_state in FAILED_STATES and not failed:
        reason = "; ".join(e[-1] for e in result.processing_errors[:3]) or result.workflow_state
        failed = {sid: f"SIS import {result.id} {result.workflow_state}: {reason}" for sid in ids}
    return failed


class SisBulkApi(SisImportsApi):
    @action("canvas.import_records", effect="write")
    async def import_records(
        self, record_type: SisRecordType, batch: Sequence[SisRow], account: int | str = "self"
    ) -> SisImport:
        """Start a SIS Import of one batch of canonical records (schools, terms, classes, users
        or enrollments); poll it with ``canvas.get_sis_import`` and trace its messages back to
        the records with ``failures``. Each call starts a new import."""
        data = await asyncio.to_thread(render_zip, record_type, batch)
        return await self.create_sis_import(data, extension="zip", account=account)
