"""The processes Atrium can run: what the API lists, validates and starts.

Each entry names the workflow, its one typed input, and how the workflow id is built from the
input's business key, so that a duplicate start joins the running run instead of starting twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from workflows.health_check import (
    HealthCheckAllInput,
    HealthCheckInput,
    IntegrationHealthCheck,
    IntegrationHealthCheckAll,
)
from workflows.profile_update import ProfileUpdate, ProfileUpdateInput


@dataclass(frozen=True)
class Process:
    name: str
    workflow: type
    input_model: type[BaseModel]
    description: str
    workflow_id: Callable[[Any], str]
    integration: Callable[[Any], str | None] = lambda _: None
    subject: Callable[[Any], str | None] = lambda _: None
    signals: dict[str, type[BaseModel]] = field(default_factory=dict)
    progress_query: str | None = None  # a query answering how far a running run has got
    # Runs on the events task queue, started eagerly by the API's own worker: only for processes
    # made of local activities (the run finishes in the workflow task the start hands back).
    eager: bool = False

    @property
    def workflow_type(self) -> str:
        defn = getattr(self.workflow, "__temporal_workflow_definition")  # noqa: B009
        return str(defn.name)


PROCESSES: dict[str, Process] = {}


def register(process: Process) -> Process:
    if process.name in PROCESSES:
        raise ValueError(f"process {process.name!r} registered twice")
    PROCESSES[process.name] = process
    return process


register(
    Process(
        name="integration-health-check",
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
        workflow=ProfileUpdate,
        input_model=ProfileUpdateInput,
        description="Push a person's changed contact details (email, preferred name) into the LMS.",
        workflow_id=lambda i: f"profile-update-{i.person_id}",
        integration=lambda i: i.integration,
        subject=lambda i: i.person_id,
        eager=True,
    )
)


def eager_processes() -> list[Process]:
    return [p for p in PROCESSES.values() if p.eager]


def by_workflow_type(workflow_type: str) -> Process | None:
    return next((p for p in PROCESSES.values() if p.workflow_type == workflow_type), None)


import workflows.sync_processes  # noqa: E402, F401 - registers the sync engine's processes

# --- the rest of the campus (issue 7) -----------------------------------------------------------
from activities.notify import NotifyInput  # noqa: E402
from workflows.financial_hold import (  # noqa: E402
    FinancialHold,
    FinancialHoldInput,
    LiftHold,
    hold_workflow_id,  # noqa: E402
)
from workflows.financial_hold_batch import FinancialHoldBatch, HoldBatchInput  # noqa: E402
from workflows.library_provisioning import (  # noqa: E402
    LibraryProvisioning,
    LibraryProvisioningInput,
)
from workflows.notify import Notify  # noqa: E402
from workflows.onboarding import OnboardingInput, StudentOnboarding  # noqa: E402
from workflows.proctored_exam import (  # noqa: E402
    ProctoredExam,
    ProctoredExamInput,
    Review,
    exam_workflow_id,  # noqa: E402
)

register(
    Process(
        name="notify",
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
        workflow=StudentOnboarding,
        input_model=OnboardingInput,
        description="Admit a student: LMS account and courses, library card, bursar account, email",
        workflow_id=lambda i: f"onboarding-{i.student.student_id}",
        integration=lambda i: i.lms,
        subject=lambda i: i.student.student_id,
    )
)
