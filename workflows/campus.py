"""Every workflow of the campus processes, for worker.py."""

from __future__ import annotations

from collections.abc import Sequence

from workflows.financial_hold import FinancialHold
from workflows.financial_hold_batch import FinancialHoldBatch
from workflows.library_provisioning import LibraryProvisioning
from workflows.notify import Notify
from workflows.onboarding import StudentOnboarding
from workflows.proctored_exam import ProctoredExam

CAMPUS_WORKFLOWS: Sequence[type] = (
    Notify,
    LibraryProvisioning,
    FinancialHold,
    FinancialHoldBatch,
    ProctoredExam,
    StudentOnboarding,
)
