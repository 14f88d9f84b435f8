"""Every workflow Atrium runs, one registration each: what the API lists, validates and starts
(the processes), what Atrium starts itself (``internal``), and what worker.py serves (the
workflows and the activity classes they declare).

Adding a process is a workflow module and one ``Process(...)`` here. Its workflow id is built
from the input's business key, so that a duplicate start joins the running run.
"""

from __future__ import annotations

from activities.actions import ActionActivities
from activities.alerts import AlertActivities
from activities.events import EventActivities
from activities.finance import FinanceActivities
from activities.health import HealthActivities
from activities.intake import BatchInput, IntakeActivities
from activities.library import LibraryActivities
from activities.lms import LmsActivities
from activities.notify import NotifyActivities, NotifyInput
from activities.privacy import PrivacyActivities
from activities.privacy_erasure import ErasureActivities
from activities.proctoring import ProctoringActivities
from activities.profile import ProfileActivities
from activities.reports import ReportActivities
from activities.sync.csv_source import CsvSourceActivities
from activities.sync.grades import GradeActivities
from activities.sync.profiles import ProfileActivities as ProfileSyncActivities
from activities.sync.quarantine_retry import QuarantineActivities, RetryInput
from activities.sync.reconcile import ReconcileActivities
from activities.sync.roster import RosterActivities
from atrium.designer import builtins
from atrium.events.delivery import EventDeliveryInput, delivery_workflow_id
from atrium.models.integration import SYSTEM_TYPES
from workflows.alerts import AlertEvaluator, AlertEvaluatorInput, evaluator_id
from workflows.backfill import Backfill, BackfillInput
from workflows.designed_process import PROCESS as DESIGNED_PROCESS
from workflows.erasure import CancelErasure, Erasure, ErasureInput
from workflows.event_batch import EventBatch, batch_workflow_id
from workflows.event_delivery import EventDelivery
from workflows.financial_hold import FinancialHold, FinancialHoldInput, LiftHold, hold_workflow_id
from workflows.financial_hold_batch import FinancialHoldBatch, HoldBatchInput
from workflows.flows import FLOWS, DeclaredFlow, declare
from workflows.grade_passback import GradePassback, GradePassbackInput
from workflows.health_check import (
    HealthCheckAllInput,
    HealthCheckInput,
    IntegrationHealthCheck,
    IntegrationHealthCheckAll,
)
from workflows.library_provisioning import LibraryProvisioning, LibraryProvisioningInput
from workflows.monthly_report import MonthlyReport, MonthlyReportInput
from workflows.notify import Notify
from workflows.onboarding import OnboardingInput, StudentOnboarding
from workflows.process import Process
from workflows.proctored_exam import ProctoredExam, ProctoredExamInput, Review, exam_workflow_id
from workflows.profile_sync import ConflictResolution, ProfileSync, ProfileSyncInput
from workflows.profile_update import ProfileUpdate, ProfileUpdateInput
from workflows.quarantine_retry import QuarantineRetry
from workflows.reconciliation import Reconciliation, ReconciliationInput
from workflows.retention_purge import RetentionPurge, RetentionPurgeInput
from workflows.roster_csv_import import RosterCsvImport, RosterCsvImportInput
from workflows.roster_sync import ApproveDeletions, RosterSync, RosterSyncInput
from workflows.subject_access import SubjectAccess, SubjectAccessInput

__all__ = [
    "DECLARED_FLOWS",
    "EVERY_RUN",
    "PROCESSES",
    "REGISTRY",
    "Process",
    "activity_classes",
    "by_workflow_type",
    "eager_processes",
    "workflows",
]

LMS = ("canvas", "moodle")
HOLD = {"finance": ("finance",), "lms": LMS, "library": ("koha",), "comms": ("comms",)}

# Activity classes every worker serves, whatever it runs: every run announces how it ended
# (workflows/announce.py's interceptor publishes), and any run may perform a catalog action.
EVERY_RUN: tuple[type, ...] = (EventActivities, ActionActivities)

REGISTRY: tuple[Process, ...] = (
    # -- connections ---------------------------------------------------------------------------
    Process(
        name="integration-health-check",
        connections={"integration": SYSTEM_TYPES},
        workflow=IntegrationHealthCheck,
        input_model=HealthCheckInput,
        activities=(HealthActivities,),
        description="Read a connection's secret from Vault, call its health URL, record it.",
        workflow_id=lambda i: f"health-check-{i.integration}",
        integration=lambda i: i.integration,
        subject=lambda i: i.integration,
    ),
    Process(
        name="integration-health-check-all",
        workflow=IntegrationHealthCheckAll,
        input_model=HealthCheckAllInput,
        activities=(HealthActivities,),
        description="Check every enabled connection (what the health-check schedule runs).",
        workflow_id=lambda _: "health-check-all",
    ),
    # -- the sync engine -----------------------------------------------------------------------
    Process(
        name="profile-update",
        connections={"integration": ("canvas",)},
        workflow=ProfileUpdate,
        input_model=ProfileUpdateInput,
        activities=(ProfileActivities,),
        description="Push a person's changed contact details (email, preferred name) into the LMS.",
        workflow_id=lambda i: f"profile-update-{i.person_id}",
        integration=lambda i: i.integration,
        subject=lambda i: i.person_id,
        eager=True,
    ),
    Process(
        name="roster-sync",
        connections={"integration": LMS, "source": ("oneroster",)},
        workflow=RosterSync,
        input_model=RosterSyncInput,
        activities=(RosterActivities,),
        description="Roster sync OneRoster SIS -> Canvas/Moodle (full or incremental), with the"
        " mass-deletion guard (signal approve-deletions).",
        workflow_id=lambda i: f"roster-sync-{i.integration}",
        integration=lambda i: i.integration,
        subject=lambda i: i.source,
        signals={"approve-deletions": ApproveDeletions},
        progress_query="status",
    ),
    Process(
        name="roster-csv-import",
        connections={"source": ("oneroster",)},
        workflow=RosterCsvImport,
        input_model=RosterCsvImportInput,
        activities=(CsvSourceActivities,),
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
        activities=(QuarantineActivities,),
        description="Map and write one quarantined record again (after its cause was fixed).",
        workflow_id=lambda i: f"quarantine-retry-{i.quarantine_id}",
        subject=lambda i: str(i.quarantine_id),
    ),
    Process(
        name="profile-sync",
        connections={"a": LMS, "b": LMS},
        workflow=ProfileSync,
        input_model=ProfileSyncInput,
        activities=(ProfileSyncActivities,),
        description="Two-way profile sync (email, name) with a conflict policy per field; manual"
        " conflicts wait in /api/v1/conflicts.",
        workflow_id=lambda i: f"profile-sync-{i.pair}",
        integration=lambda i: i.pair,
        signals={"resolve-conflict": ConflictResolution},
        progress_query="waiting-conflicts",
    ),
    Process(
        name="grade-passback",
        connections={"lms": LMS, "sis": ("oneroster",)},
        workflow=GradePassback,
        input_model=GradePassbackInput,
        activities=(GradeActivities,),
        description="Canvas grades -> OneRoster gradebook (lineItems, results), stable sourcedIds.",
        workflow_id=lambda i: f"grade-passback-{i.lms}",
        integration=lambda i: i.lms,
        subject=lambda i: i.sis,
    ),
    Process(
        name="reconciliation",
        connections={"integration": LMS, "source": ("oneroster",)},
        workflow=Reconciliation,
        input_model=ReconciliationInput,
        activities=(ReconcileActivities,),
        description="Report drift (missing, extra, different) between the SIS and the LMS; with"
        " repair, hand it to a roster sync.",
        workflow_id=lambda i: f"reconcile-{i.integration}",
        integration=lambda i: i.integration,
        subject=lambda i: i.source,
    ),
    Process(
        name="backfill",
        connections={"integration": LMS, "source": ("oneroster",)},
        workflow=Backfill,
        input_model=BackfillInput,
        activities=(RosterActivities,),
        description="Resumable full copy of an institution, checkpointed with continue-as-new.",
        workflow_id=lambda i: f"backfill-{i.integration}",
        integration=lambda i: i.integration,
        subject=lambda i: i.source,
        progress_query="checkpoint",
    ),
    # -- campus processes ----------------------------------------------------------------------
    Process(
        name="notify",
        connections={"integration": ("comms",)},
        workflow=Notify,
        input_model=NotifyInput,
        activities=(NotifyActivities,),
        description="Send one templated notification by the recipient's preferred channel.",
        workflow_id=lambda i: f"notify-{i.message_key}",
        integration=lambda i: i.integration,
        subject=lambda i: i.recipient,
    ),
    Process(
        name="library-provisioning",
        connections={"sis": ("oneroster",), "library": ("koha",)},
        workflow=LibraryProvisioning,
        input_model=LibraryProvisioningInput,
        activities=(LibraryActivities,),
        description="Give every active SIS student and teacher a library patron; expire leavers.",
        workflow_id=lambda i: f"library-provisioning-{i.library}-{i.school or 'all'}",
        integration=lambda i: i.library,
        subject=lambda i: i.school,
    ),
    Process(
        name="financial-hold",
        connections=HOLD,
        workflow=FinancialHold,
        input_model=FinancialHoldInput,
        activities=(FinanceActivities, LmsActivities, LibraryActivities, NotifyActivities),
        description="Pause a held student's LMS access and library borrowing until the hold lifts.",
        workflow_id=lambda i: hold_workflow_id(i.student_id, i.hold_type),
        integration=lambda i: i.finance,
        subject=lambda i: i.student_id,
        signals={"lift": LiftHold},
    ),
    Process(
        name="financial-hold-batch",
        connections=HOLD,
        workflow=FinancialHoldBatch,
        input_model=HoldBatchInput,
        activities=(FinanceActivities,),  # one financial-hold run per line
        description="Apply the bursar's nightly holds CSV from SFTP, one hold run per line.",
        workflow_id=lambda i: f"financial-hold-batch-{i.finance}-{i.file or 'all'}",
        integration=lambda i: i.finance,
    ),
    Process(
        name="proctored-exam",
        connections={"lms": LMS, "proctoring": ("proctoring",), "comms": ("comms",)},
        workflow=ProctoredExam,
        input_model=ProctoredExamInput,
        activities=(LmsActivities, ProctoringActivities, NotifyActivities),
        description="Proctor an LMS assignment: sessions, results, professor review, grades.",
        workflow_id=lambda i: exam_workflow_id(i.proctoring, i.lms, i.course, i.assignment_id),
        integration=lambda i: i.proctoring,
        subject=lambda i: f"{i.course}/{i.assignment_id}",
        signals={"review": Review},
    ),
    Process(
        name="student-onboarding",
        connections={
            "lms": LMS,
            "library": ("koha",),
            "finance": ("finance",),
            "comms": ("comms",),
        },
        workflow=StudentOnboarding,
        input_model=OnboardingInput,
        activities=(LmsActivities, LibraryActivities, FinanceActivities, NotifyActivities),
        description="Admit a student: LMS account and courses, library card, bursar account, email",
        workflow_id=lambda i: f"onboarding-{i.student.student_id}",
        integration=lambda i: i.lms,
        subject=lambda i: i.student.student_id,
    ),
    # -- started by Atrium itself --------------------------------------------------------------
    Process(
        name="event-delivery",
        workflow=EventDelivery,
        input_model=EventDeliveryInput,
        activities=(EventActivities,),
        description="Deliver one event to one subscriber (atrium/events/delivery.py starts it).",
        workflow_id=lambda i: delivery_workflow_id(i.subscription_id, i.event.id),
        subject=lambda i: str(i.subscription_id),
        internal=True,
    ),
    Process(
        name="event-batch",
        workflow=EventBatch,
        input_model=BatchInput,
        activities=(IntakeActivities,),
        description="Apply a batch of webhook intake events (api/webhooks/dispatcher.py).",
        workflow_id=lambda i: batch_workflow_id(i.process, i.intake_ids),
        eager=True,
        internal=True,
    ),
    Process(
        name="alert-evaluator",
        workflow=AlertEvaluator,
        input_model=AlertEvaluatorInput,
        activities=(AlertActivities,),
        description="Evaluate one rule set's alert rules every few seconds (alert_evaluators.py).",
        workflow_id=lambda i: evaluator_id(i.rule_set),
        subject=lambda i: i.rule_set,
        internal=True,
    ),
    Process(
        name="monthly-report",
        workflow=MonthlyReport,
        input_model=MonthlyReportInput,
        activities=(ReportActivities,),
        description="Mail last month's integration report (CSV and printable page) to its"
        " recipients, once each (the monthly-report schedule, api/routes/reports.py).",
        workflow_id=lambda i: f"monthly-report-{i.month or 'last'}",
        subject=lambda i: i.month,
        internal=True,
    ),
    # -- privacy (started only through /api/v1/privacy, behind its own permissions) ----------
    Process(
        name="subject-access",
        workflow=SubjectAccess,
        input_model=SubjectAccessInput,
        activities=(PrivacyActivities,),
        description="Export everything every connected system and Atrium hold about one person"
        " (a sealed zip: manifest, JSON and CSV per system).",
        workflow_id=lambda i: f"subject-access-{i.export_id}" + (f"-{i.token}" if i.token else ""),
        subject=lambda i: f"export-{i.export_id}",
        internal=True,
    ),
    Process(
        name="erasure",
        workflow=Erasure,
        input_model=ErasureInput,
        activities=(ErasureActivities, PrivacyActivities, ActionActivities),
        description="Erase one person across the school's systems per its rules, after a"
        " cancellable waiting period; legal holds block it; a tombstone stops re-creation.",
        workflow_id=lambda i: f"erasure-{i.erasure_id}" + (f"-{i.token}" if i.token else ""),
        subject=lambda i: f"erasure-{i.erasure_id}",
        signals={"cancel": CancelErasure},
        progress_query="status",
        internal=True,
    ),
    Process(
        name="retention-purge",
        workflow=RetentionPurge,
        input_model=RetentionPurgeInput,
        activities=(ErasureActivities,),
        description="Purge Atrium's own data past its retention (the privacy-retention schedule).",
        workflow_id=lambda _: "retention-purge",
        internal=True,
    ),
    DESIGNED_PROCESS,  # a designed process's runs (workflows/designed_process.py)
)

# What the API lists, validates and starts.
PROCESSES: dict[str, Process] = {p.name: p for p in REGISTRY if not p.internal}

# What a designed process may run as a sub-process (atrium/designer/builtins.py).
for _p in PROCESSES.values():
    builtins.register(_p.name, builtins.BuiltIn(_p.workflow_type, _p.input_model, _p.subject))


# Which way each process moves data (workflows/flows.py), checked against the registrations.
DECLARED_FLOWS: tuple[DeclaredFlow, ...] = declare(FLOWS, REGISTRY)


def eager_processes() -> list[Process]:
    return [p for p in PROCESSES.values() if p.eager]


def by_workflow_type(workflow_type: str) -> Process | None:
    """The registration of a run's workflow, internal ones included (a run's page names them)."""
    return next((p for p in REGISTRY if p.workflow_type == workflow_type), None)


def _served(eager_only: bool) -> list[Process]:
    return [p for p in REGISTRY if p.eager or not eager_only]


def workflows(*, eager_only: bool = False) -> list[type]:
    """The workflows a worker serves: every one on the main queue, the eager ones on the events
    queue."""
    return [p.workflow for p in _served(eager_only)]


def activity_classes(*, eager_only: bool = False) -> list[type]:
    """The activity classes those workflows call, each once, with those every run may call."""
    found = [*EVERY_RUN, *(cls for p in _served(eager_only) for cls in p.activities)]
    return list(dict.fromkeys(found))
