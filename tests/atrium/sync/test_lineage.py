"""Lineage reads of the sync state: a person's own rows and their enrollments (found by the id
their snapshot keeps, a LIKE whose wildcards in ids are escaped), the run split into workflow and
run ids, and rows that name no run."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, delete

from atrium.db import session_scope
from atrium.models import SyncRecord
from atrium.models.integration import utcnow
from atrium.sync.lineage import trace

RUN = "roster-sync-x:run-a"


@pytest.fixture(name="system")
def seeded(engine: Engine) -> Iterator[str]:
    system = f"lms-{uuid.uuid4().hex[:6]}"
    now = utcnow()
    rows = [
        # (record type, source id, snapshot, written run, mapping, minutes ago)
        ("users", "stu_1", None, RUN, "users-map@3", 3),
        ("users", "stuX1", None, RUN, "users-map@3", 3),  # '_' must not match it
        ("enrollments", "e-1", "stu_1|cls-1|sch|student", RUN, "builtin:enrollments", 2),
        ("enrollments", "e-2", "stuX1|cls-1|sch|student", RUN, "builtin:enrollments", 2),
        ("enrollments", "e-3", "t-9|stu_1|sch|teacher", RUN, None, 2),  # the id as a class
        ("profiles", "stu_1", "{}", "profile-sync", None, 1),  # a writer naming no run
        ("classes", "cls-1", "{}", None, None, 5),  # written before runs were kept
    ]
    with session_scope(engine) as session:
        for kind, sid, snap, run, mapping, ago in rows:
            session.add(
                SyncRecord(
                    integration=system, record_type=kind, source_id=sid, version="v", snapshot=snap,
                    written_run=run, mapping=mapping, synced_at=now - timedelta(minutes=ago),
                )
            )  # fmt: skip
        session.commit()
    yield system
    with session_scope(engine) as session:
        session.exec(delete(SyncRecord).where(col(SyncRecord.integration) == system))  # type: ignore[call-overload]
        session.commit()


def test_a_person_is_traced_to_their_rows_and_enrollments(engine: Engine, system: str) -> None:
    with session_scope(engine) as session:
        found = [w for w in trace(session, "person", "stu_1") if w.system == system]
    assert [(w.record_type, w.source_id) for w in found] == [
        ("profiles", "stu_1"),  # newest first
        ("enrollments", "e-1"),
        ("users", "stu_1"),
    ]
    profile, enrollment, user = found
    assert (user.workflow_id, user.run_id) == ("roster-sync-x", "run-a")
    assert user.mapping == "users-map@3"
    assert enrollment.mapping == "builtin:enrollments"
    assert (profile.workflow_id, profile.run_id) == (None, None)


def test_a_class_is_traced_to_its_row_and_its_enrollments_only(engine: Engine, system: str) -> None:
    with session_scope(engine) as session:
        found = [w for w in trace(session, "class", "cls-1") if w.system == system]
    assert sorted(w.source_id for w in found) == ["cls-1", "e-1", "e-2"]
    klass = next(w for w in found if w.record_type == "classes")
    assert (klass.workflow_id, klass.mapping) == (None, None)
    with session_scope(engine) as session:  # the enrollment with that id in the class slot
        assert [w.source_id for w in trace(session, "class", "stu_1") if w.system == system] == [
            "e-3"
        ]
