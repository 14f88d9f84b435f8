"""Catalog actions that would create a person erased on request are refused before any call:
every action that creates a person is known, and each finds the person by the id it names them
by (the SIS sourcedId for an LMS account, the person number for a patron or a bursar account)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.actions import ActionActivities, ActionInput, arguments, find
from activities.privacy_tombstones import CREATES, ERASED, refuse_erased_action
from activities.runtime import Runtime
from atrium.credentials import Credentials
from atrium.db import session_scope
from atrium.models.privacy import PrivacyTombstone
from atrium.privacy.store import bury
from atrium.privacy.subjects import number_subject, subject_of
from connectors.catalog import catalog

PERSON_CREATORS = ("create_user", "ensure_user", "create_login", "create_patron", "create_account")
BULK_CREATORS = {"canvas.create_sis_import"}  # people in its user and login files


@pytest.fixture
def erased(engine: Engine) -> Iterator[tuple[str, str]]:
    """One erased person (sourcedId, person number); their tombstones removed afterwards."""
    sourced, number = f"stu-{uuid.uuid4().hex[:8]}", f"S{uuid.uuid4().hex[:8]}"
    subjects = [subject_of(sourced), number_subject(number)]
    bury(engine, subjects, erasure_id=999_998)
    yield sourced, number
    with session_scope(engine) as session:
        for subject in subjects:
            row = session.get(PrivacyTombstone, subject)
            if row is not None:
                session.delete(row)
        session.commit()


def inputs(sourced: str, number: str) -> dict[str, dict[str, Any]]:
    canvas_user = {"name": "A B", "unique_id": f"login-{sourced}", "sis_user_id": sourced}
    moodle_user = {
        "username": f"u-{sourced}",
        "firstname": "A",
        "lastname": "B",
        "email": f"{sourced}@school.example",
        "createpassword": True,
        "idnumber": sourced,
    }
    return {
        "canvas.create_user": {"new": canvas_user},
        "canvas.ensure_user": {"new": canvas_user},
        "canvas.create_login": {"user_id": 1, "unique_id": "x", "sis_user_id": sourced},
        "canvas.create_sis_import": {
            "extension": "csv",
            "data": "user_id,login_id,first_name,last_name,status\n"
            f"someone-else,e,E,F,active\n{sourced},login-{sourced},A,B,active\n",
        },
        "moodle.create_users": {
            "users": [{**moodle_user, "idnumber": "someone-else", "username": "e"}, moodle_user]
        },
        "moodle.ensure_user": {"new": moodle_user},
        "koha.create_patron": {
            "patron": {
                "surname": "B",
                "library_id": "CPL",
                "category_id": "ST",
                "cardnumber": number,
            }
        },
        "finance.create_account": {
            "account": {"student_id": number, "name": "A B"},
            "idempotency_key": "k",
        },
    }


def test_every_catalog_action_that_creates_a_person_is_checked() -> None:
    creators = {
        name
        for name, entry in catalog().items()
        if entry.spec.effect == "write" and name.split(".")[1].startswith(PERSON_CREATORS)
    }
    assert creators | BULK_CREATORS == set(CREATES)


async def test_creating_an_erased_person_is_refused_and_anyone_else_is_not(
    erased: tuple[str, str], engine: Engine
) -> None:
    sourced, number = erased
    for action, given in inputs(sourced, number).items():
        with pytest.raises(ApplicationError) as refused:
            await refuse_erased_action(engine, action, arguments(find(action), given))
        assert refused.value.type == ERASED and refused.value.non_retryable, action
        assert sourced not in str(refused.value) and number not in str(refused.value)
        others = inputs(f"{sourced}-x", f"{number}x")[action]
        await refuse_erased_action(engine, action, arguments(find(action), others))  # not erased


async def test_run_action_refuses_before_it_looks_up_the_connection(
    erased: tuple[str, str], engine: Engine, credentials: Credentials
) -> None:
    sourced, number = erased
    run = ActionActivities(Runtime(engine, credentials)).run_action
    given = ActionInput(
        action="koha.create_patron",
        integration="no-such-library",
        input=inputs(sourced, number)["koha.create_patron"],
        idempotency_key="erased-patron",
    )
    with pytest.raises(ApplicationError) as refused:
        await ActivityEnvironment().run(run, given)
    assert refused.value.type == ERASED
    with pytest.raises(Exception) as unknown:  # someone else gets as far as the connection
        await ActivityEnvironment().run(
            run,
            given.model_copy(update={"input": inputs(sourced, f"{number}x")["koha.create_patron"]}),
        )
    assert getattr(unknown.value, "type", None) != ERASED and "no-such-library" in str(
        unknown.value
    )
