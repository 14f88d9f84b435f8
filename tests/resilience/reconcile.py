"""The end of every resilience test: Atrium's reconciliation finds nothing missing or different
between the SIS and Canvas, nothing in Canvas that the sync could have added twice or wrongly,
and Canvas's own tables hold no enrollment twice."""

from __future__ import annotations

import sqlite3
import uuid

from temporalio.client import Client

from tests.workflows.sync_env import Pair, SyncSandbox
from workflows.reconciliation import Reconciliation, ReconciliationInput

USERS, ENROLLMENTS = 314, 1560  # the demo SIS (seed 7): active users and enrollments


def canvas_sis_users(sandbox: SyncSandbox) -> set[str]:
    with sqlite3.connect(sandbox.contexts["canvas"].db_path()) as lms:
        rows = lms.execute("SELECT sis_user_id FROM logins WHERE sis_user_id != ''")
        return {r[0] for r in rows}


def sis_users(sandbox: SyncSandbox) -> set[str]:
    with sqlite3.connect(sandbox.contexts["oneroster"].db_path()) as sis:
        return {r[0] for r in sis.execute("SELECT sourcedId FROM users WHERE status = 'active'")}


def check_drift(report: dict[str, dict], canvas_own: set[str], sis: set[str]) -> None:  # type: ignore[type-arg]
    """``report``: record type -> Drift as JSON; ``canvas_own``: Canvas's SIS users before."""
    assert report["users"]["compared"] == USERS, report["users"]
    assert report["enrollments"]["compared"] >= ENROLLMENTS, report["enrollments"]
    for kind in report.values():
        assert (kind["missing_count"], kind["different_count"]) == (0, 0), kind
    assert report["enrollments"]["extra_count"] == 0, report["enrollments"]
    # "extra" users in Canvas: only those it held before the sync (the LMS's own accounts).
    assert report["users"]["extra_count"] == len(canvas_own - sis), report["users"]
    assert set(report["users"]["extra"]) <= canvas_own


def check_no_duplicates(sandbox: SyncSandbox) -> None:
    with sqlite3.connect(sandbox.contexts["canvas"].db_path()) as lms:
        rows = list(
            lms.execute(
                "SELECT l.sis_user_id, s.sis_section_id FROM enrollments e"
                " JOIN logins l ON l.user_id = e.user_id"
                " JOIN sections s ON s.id = e.course_section_id"
            )
        )
    assert len(rows) >= ENROLLMENTS, len(rows)
    assert len(rows) == len(set(rows)), "an enrollment is in Canvas twice"


async def reconcile(
    client: Client, queue: str, p: Pair, sandbox: SyncSandbox, canvas_own: set[str]
) -> None:
    """Run the reconciliation process and check what it reports, then Canvas's tables."""
    result = await client.execute_workflow(
        Reconciliation.run,
        ReconciliationInput(integration=p.target, source=p.source),
        id=f"reconcile-{p.target}-{uuid.uuid4().hex[:4]}",
        task_queue=queue,
    )
    report = {d.record_type: d.model_dump() for d in result.drift}
    check_drift(report, canvas_own, sis_users(sandbox))
    check_no_duplicates(sandbox)
