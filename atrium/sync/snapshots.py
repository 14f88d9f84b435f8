"""What the store keeps of each synced record, so a record gone from the source can still be
addressed in the target (to conclude it) and a two-way sync has its base values.

Enrollments are the million-row case and keep only their keys; other records keep their JSON.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from atrium.sync.mapping import RECORD_TYPES
from connectors.canonical.models import Enrollment, Record, Role


def snapshot(record: Record) -> str:
    if isinstance(record, Enrollment):
        # the role is a Role (StrEnum: formats as its value) or an ext: string
        return f"{record.person_id}|{record.class_id}|{record.school_id}|{record.role}"
    return record.model_dump_json(exclude={"date_last_modified"})


def restore(record_type: str, source_id: str, text: str) -> Record:
    """The record as last synced, marked for deletion."""
    now = datetime.now(UTC)
    if record_type == "enrollments":
        person, klass, school, role = text.split("|")
        return Enrollment(
            source_id=source_id,
            person_id=person,
            class_id=klass,
            school_id=school,
            role=Role(role),
            status="tobedeleted",
            date_last_modified=now,  # type: ignore[arg-type]
        )
    data = json.loads(text)
    data.update(status="tobedeleted", date_last_modified=now)
    return RECORD_TYPES[record_type].model_validate(data)
