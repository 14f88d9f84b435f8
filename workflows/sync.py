"""The sync engine's workflows, listed once for worker.py."""

from __future__ import annotations

from workflows.backfill import Backfill
from workflows.grade_passback import GradePassback
from workflows.profile_sync import ProfileSync
from workflows.quarantine_retry import QuarantineRetry
from workflows.reconciliation import Reconciliation
from workflows.roster_csv_import import RosterCsvImport
from workflows.roster_sync import RosterSync

SYNC_WORKFLOWS: tuple[type, ...] = (
    RosterSync,
    QuarantineRetry,
    ProfileSync,
    GradePassback,
    Reconciliation,
    Backfill,
    RosterCsvImport,
)
