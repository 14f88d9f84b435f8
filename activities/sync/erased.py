"""People erased on request (atrium/privacy: a tombstone per person) are never written again:
their SIS records, and the enrollments and results that name them, are set aside before any
write, as quarantine-like rejections (stage ``erased``) that keep no payload."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.engine import Engine

from atrium.privacy.store import tombstoned
from atrium.privacy.subjects import subject_of
from atrium.sync.changes import Mapped, Rejected

REASON = "the person was erased on request (privacy tombstone): not written again"


def person_of(item: Mapped) -> str:
    """The SIS person a record is (a user) or names (an enrollment, a result)."""
    return str(getattr(item.record, "person_id", None) or item.record.source_id)


def split_erased(
    engine: Engine, record_type: str, items: Sequence[Mapped]
) -> tuple[list[Mapped], list[Rejected]]:
    if record_type not in ("users", "enrollments", "results") or not items:
        return list(items), []
    subjects = {item.source_id: subject_of(person_of(item)) for item in items}
    buried = tombstoned(engine, subjects.values())
    if not buried:
        return list(items), []
    kept = [i for i in items if subjects[i.source_id] not in buried]
    erased = [
        Rejected(i.source_id, "erased", REASON, {})
        for i in items
        if subjects[i.source_id] in buried
    ]
    return kept, erased
