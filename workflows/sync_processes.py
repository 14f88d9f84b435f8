"""The sync engine's processes, registered with business-key workflow ids so that a second
start for the same integration joins the running sync instead of running twice."""

from __future__ import annotations

from activities.sync.quarantine_retry import RetryInput
from workflows.backfill import Backfill, BackfillInput
from workflows.grade_passback import GradePassback, GradePassbackInput
from workflows.process import Process
from workflows.profile_sync import ConflictResolution, ProfileSync, ProfileSyncInput
from workflows.quarantine_retry import QuarantineRetry
from workflows.reconciliation import Reconciliation, ReconciliationInput
from workflows.roster_csv_import import RosterCsvImport, RosterCsvImportInput
from workflows.roster_sync import ApproveDeletions, RosterSync, RosterSyncInput

SYNC_PROCESSES: tuple[Process, ...] = (
    Process(
        name="roster-sync",
        connections={"integration": ("canvas", "moodle"), "source": ("oneroster",)},
        workflow=RosterSync,
        progress_query="status",
        input_model=RosterSyncInput,
        description="Roster sync OneRoster SIS -> Canvas/Moodle (full or incremental), with the"
        " mass-deletion guard (signal approve-deletions).",
        workflow_id=lambda i: f"roster-sync-{i.integration}",
        integration=lambda i: i.integration,
        subject=lambda i: i.source,
        signals={"approve-deletions": ApproveDeletions},
    ),
    Process(
        name="roster-csv-import",
        connections={"source": ("oneroster",)},
        workflow=RosterCsvImport,
        input_model=RosterCsvImportInput,
        description="Roster sync from OneRoster CSV packages: poll the SIS's SFTP drop (each"
        " package once, filed as processed or rejected with a report) or one uploaded package.",
        workflow_id=lambda i: (
            f"roster-csv-{i.source}" + (f"-package-{i.package}" if i.package else "")
        ),
        integration=lambda i: i.source,
        subject=lambda i: str(i.package) if i.package else None,
    ),
    Process(
        name="quarantine-retry",
        workflow=QuarantineRetry,
        input_model=RetryInput,
        description="Map and write one quarantined record again (after its cause was fixed).",
        workflow_id=lambda i: f"quarantine-retry-{i.quarantine_id}",
        subject=lambda i: str(i.quarantine_id),
    ),
    Process(
        name="profile-sync",
        connections={"a": ("canvas", "moodle"), "b": ("canvas", "moodle")},
        workflow=ProfileSync,
        progress_query="waiting-conflicts",
        input_model=ProfileSyncInput,
        description="Two-way profile sync (email, name) with a conflict policy per field; manual"
        " conflicts wait in /api/v1/conflicts.",
        workflow_id=lambda i: f"profile-sync-{i.pair}",
        integration=lambda i: i.pair,
        signals={"resolve-conflict": ConflictResolution},
    ),
    Process(
        name="grade-passback",
        connections={"lms": ("canvas", "moodle"), "sis": ("oneroster",)},
        workflow=GradePassback,
        input_model=GradePassbackInput,
        description="Canvas grades -> OneRoster gradebook (lineItems, results), stable sourcedIds.",
        workflow_id=lambda i: f"grade-passback-{i.lms}",
        integration=lambda i: i.lms,
        subject=lambda i: i.sis,
    ),
    Process(
        name="reconciliation",
        connections={"integration": ("canvas", "moodle"), "source": ("oneroster",)},
        workflow=Reconciliation,
        input_model=ReconciliationInput,
        description="Report drift (missing, extra, different) between the SIS and the LMS; with"
        " repair, hand it to a roster sync.",
        workflow_id=lambda i: f"reconcile-{i.integration}",
        integration=lambda i: i.integration,
        subject=lambda i: i.source,
    ),
    Process(
        name="backfill",
        connections={"integration": ("canvas", "moodle"), "source": ("oneroster",)},
        workflow=Backfill,
        progress_query="checkpoint",
        input_model=BackfillInput,
        description="Resumable full copy of an institution, checkpointed with continue-as-new.",
        workflow_id=lambda i: f"backfill-{i.integration}",
        integration=lambda i: i.integration,
        subject=lambda i: i.source,
    ),
)
