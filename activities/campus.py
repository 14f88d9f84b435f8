"""Every activity of the campus processes (library, finance, LMS, proctoring, notifications)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

from activities.finance import FinanceActivities
from activities.library import LibraryActivities
from activities.lms import LmsActivities
from activities.notify import NotifyActivities
from activities.proctoring import ProctoringActivities
from atrium.credentials import Credentials


def campus_activities(engine: Engine, credentials: Credentials) -> list[Any]:
    library = LibraryActivities(engine, credentials)
    finance = FinanceActivities(engine, credentials)
    lms = LmsActivities(engine, credentials)
    proctoring = ProctoringActivities(engine, credentials)
    notify = NotifyActivities(engine, credentials)
    return [
        library.last_term_end,
        library.people_page,
        library.provision,
        library.restrict,
        library.unrestrict,
        library.ensure_patron,
        library.remove_patron,
        finance.account,
        finance.create_account,
        finance.list_batches,
        finance.fetch_batch,
        finance.acknowledge,
        finance.quarantine,
        lms.restrict,
        lms.restore,
        lms.create_account,
        lms.delete_account,
        lms.enroll,
        lms.drop,
        lms.exam_context,
        lms.post_grades,
        proctoring.prepare,
        proctoring.schedule,
        proctoring.results,
        notify.notify,
    ]
