"""The tombstone check of the processes that create people (onboarding's LMS account, library
card and bursar account, and any designed process running a catalog action that creates a person,
the user and login files of a Canvas SIS Import included): an erased person is refused before
anything is written, for good (a retry cannot help). Roster syncs set erased people aside page by
page instead (activities/sync/erased.py); library provisioning skips them
(activities/library.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Engine
from temporalio.exceptions import ApplicationError

from atrium.privacy.store import is_erased
from connectors.canvas.sis_people import people_in_import

ERASED = "Erased"  # the ApplicationError type: the person was erased on request
Ids = list[tuple[str | None, str | None]]  # (SIS sourcedId, person number), either may be None

# The catalog actions that create a person, and the ids each names them by in its input.
CREATES: dict[str, Callable[[Any], Ids]] = {
    "canvas.create_user": lambda a: [(a.new.sis_user_id, None)],
    "canvas.ensure_user": lambda a: [(a.new.sis_user_id, None)],
    "canvas.create_login": lambda a: [(a.sis_user_id, None)],
    "canvas.create_sis_import": lambda a: [
        (u, None) for u in people_in_import(a.data, a.extension)
    ],
    "moodle.create_users": lambda a: [(u.idnumber, None) for u in a.users],
    "moodle.ensure_user": lambda a: [(a.new.idnumber, None)],
    "koha.create_patron": lambda a: [(None, a.patron.cardnumber)],
    "finance.create_account": lambda a: [(None, a.account.student_id)],
}


def _refused(what: str) -> ApplicationError:
    return ApplicationError(
        f"{what}: the person was erased on request (privacy tombstone); not created again",
        type=ERASED,
        non_retryable=True,
    )


async def refuse_erased(
    engine: Engine, what: str, *, sourced_id: str | None = None, number: str | None = None
) -> None:
    """Raise a non-retryable ``Erased`` error when the person has a tombstone. The message names
    what was refused, never the person."""
    if await asyncio.to_thread(is_erased, engine, [(sourced_id, number)]):
        raise _refused(what)


async def refuse_erased_action(engine: Engine, action: str, args: Any) -> None:
    """Refuse a catalog action (its validated input ``args``) that would create a person erased
    on request; any other action passes."""
    ids = CREATES.get(action)
    if ids is not None and await asyncio.to_thread(is_erased, engine, ids(args)):
        raise _refused(action)
