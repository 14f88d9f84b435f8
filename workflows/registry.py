"""The processes Atrium can run: what the API lists, validates and starts.

Each entry names the workflow, its one typed input, and how the workflow id is built from the
input's business key, so that a duplicate start joins the running run instead of starting twice.
"""

from __future__ import annotations

from activities.notify import NotifyInput
from atrium.models.integration import SYSTEM_TYPES
from workflows.financial_hold import (
    FinancialHold,
    FinancialHoldInput,
    LiftHold,
    hold_workflow_id,
)
from workflows.financial_hold_batch import FinancialHoldBatch, HoldBatchInput
from workflows.health_check import (
    HealthCheckAllInput,
    HealthCheckInput,
    IntegrationHealthCheck,
    IntegrationHealthCheckAll,
)
from workflows.library_provisioning import (
    LibraryProvisioning,
    LibraryProvisioningInput,
)
from workflows.notify import Notify
from workflows.onboarding import OnboardingInput, StudentOnboarding
from workflows.process import Process
from workflows.proctored_exam import (
    ProctoredExam,
    ProctoredExamInput,
    Review,
    exam_workflow_id,
)
from workflows.profile_update import ProfileUpdate, ProfileUpdateInput
from workflows.sync_processes import SYNC_PROCESSES

__all__ = ["PROCESSES", "Process", "by_workflow_type", "eager_processes", "register"]

PROCESSES: dict[str, Process] = {}


def register(process: Process) -> Process:
    if process.name in PROCESSES:
        raise ValueError(f"process {process.name!r} registered twice")
    PROCESSES[process.name] = process
    return process


register(
    Process(
        name="integration-health-check",
        connections={"integration": SYSTEM_TYPES},
        workflow=IntegrationHealthCheck,
        input_model=HealthCheckInput,
        description="Read a connection's secret from Vault, call its health URL, record it.",
        workflow_id=lambda i: f"health-check-{i.integration}",
        integration=lambda i: i.integration,
        subject=lambda i: i.integration,
    )
)
register(
    Process(
        name="integration-health-check-all",
        workflow=IntegrationHealthCheckAll,
        input_model=HealthCheckAllInput,
        description="Check every enabled connection (what the health-check schedule runs).",
        workflow_id=lambda _: "health-check-all",
    )
)

register(
    Process(
        name="profile-update",
        connections={"integration": ("canvas",)},
        workflow=ProfileUpdate,
        input_model=ProfileUpdateInput,
        description="Push a person's changed contact details (email, preferred name) into the LMS.",
        workflow_id=lambda i: f"profile-update-{i.person_id}",
        integration=lambda i: i.integration,
        subject=lambda i: i.person_id,
        eager=True,
    )
)


for process in SYNC_PROCESSES:  # the sync engine's processes (workflows/sync_processes.py)
    register(process)


def eager_processes() -> list[Process]:
    return [p for p in PROCESSES.values() if p.eager]


def by_workflow_type(workflow_type: str) -> Process | None:
    return next((p for p in PROCESSES.values() if p.workflow_type == workflow_type), None)


register(
    Process(
        name="notify",
        connections={"integration": ("comms",)},
        workflow=Notify,
        input_model=NotifyInput,
        description="Send one templated notification by the recipient's preferred channel.",
        workflow_id=lambda i: f"notify-{i.message_key}",
        integration=lambda i: i.integration,
        subject=lambda i: i.recipient,
    )
)
register(
    Process(
        name="library-provisioning",
        connections={"sis": ("oneroster",), "library": ("koha",)},
        workflow=LibraryProvisioning,
        input_model=LibraryProvisioningInput,
        description="Give every active SIS student and teacher a library patron; expire leavers.",
        workflow_id=lambda i: f"library-provisioning-{i.library}-{i.school or 'all'}",
        integration=lambda i: i.library,
        subject=lambda i: i.school,
    )
)
register(
    Process(
        name="financial-hold",
        connections={
            "finance": ("finance",),
            "lms": ("canvas", "moodle"),
            "library": ("koha",),
            "comms": ("comms",),
        },
        workflow=FinancialHold,
        input_model=FinancialHoldInput,
        description="Pause a held student's LMS access and library borrowing until the hold lifts.",
        workflow_id=lambda i: hold_workflow_id(i.student_id, i.hold_type),
        integration=lambda i: i.finance,
        subject=lambda i: i.student_id,
        signals={"lift": LiftHold},
    )
)
register(
    Process(
        name="financial-hold-batch",
        connections={
            "finance": ("finance",),
            "lms": ("canvas", "moodle"),
            "library": ("koha",),
            "comms": ("comms",),
        },
        workflow=FinancialHoldBatch,
        input_model=HoldBatchInput,
        description="Apply the bursar's nightly holds CSV from SFTP, one hold run per line.",
        workflow_id=lambda i: f"financial-hold-batch-{i.finance}-{i.file or 'all'}",
        integration=lambda i: i.finance,
    )
)
register(
    Process(
        name="proctored-exam",
        connections={
            "lms": ("canvas", "moodle"),
            "proctoring": ("proctoring",),
            "comms": ("comms",),
        },
        workflow=ProctoredExam,
        input_model=ProctoredExamInput,
        description="Proctor an LMS assignment: sessions, results, professor review, grades.",
        workflow_id=lambda i: exam_workflow_id(i.proctoring, i.lms, i.course, i.assignment_id),
        integration=lambda i: i.proctoring,
        subject=lambda i: f"{i.course}/{i.assignment_id}",
        signals={"review": Review},
    )
)
register(
    Process(
        name="student-onboarding",
        connections={
            "lms": ("canvas", "moodle"),
            "library": ("koha",),
            "finance": ("finance",),
            "comms": ("comms",),
        },
        workflow=StudentOnboarding,
        input_model=OnboardingInput,
        description="Admit a student: LMS account and courses, library card, bursar account, email",
        workflow_id=lambda i: f"onboarding-{i.student.student_id}",
        integration=lambda i: i.lms,
        subject=lambda i: i.student.student_id,
    )
)
