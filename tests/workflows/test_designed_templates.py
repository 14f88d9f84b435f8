"""The shipped templates run on the interpreter against the sandbox institution: the designed
onboarding leaves every system as the hand-written StudentOnboarding does (for another student,
the student id normalised), on success and when the bursar refuses the student; the withdrawal
suspends, tells the library and closes the account only once the bursar's office approves; the
roster sync waits for an administrator when it would delete more than its share."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle
from temporalio.worker import Worker

from atrium.credentials import Credentials
from atrium.db import session_scope
from atrium.designer.definition import ProcessDefinition, content_hash
from atrium.designer.runs import Decision, DesignedRunInput, DesignedRunResult
from atrium.designer.templates import template
from atrium.models.process_definition import ProcessVersion
from connectors.canvas import CanvasClient
from connectors.canvas.models import NewUser
from connectors.canvas.requester import sis
from connectors.errors import NotFound
from connectors.finance.client import BursarClient
from connectors.koha import KohaClient
from sandbox.app import create_app as create_sandbox
from tests.sandbox.control import credentials_of
from tests.support.servers import serve
from tests.workflows.conftest import Campus, register_connection, unique
from tests.workflows.csv_drop_env import remove_integrations
from tests.workflows.test_financial_hold import _client
from tests.workflows.test_onboarding import _onboard, admission
from workflows.designed_process import PROCESS, DesignedProcess

Pin = tuple[str, int, str]  # name, version, content hash


def connections(campus: Campus) -> dict[str, str]:
    return {
        "lms": campus.lms,
        "library": campus.library,
        "finance": campus.finance,
        "comms": campus.comms,
        "sis": campus.sis,
    }


@pytest.fixture
def publish(engine: Engine) -> Iterator[Any]:
    """``publish(template, campus)``: the template, for the campus's connections, stored as a
    published version of a process of its own (removed afterwards)."""
    names: list[str] = []

    def put(name: str, campus: Campus) -> Pin:
        tpl = template(name)
        wanted = {s: c for s, c in connections(campus).items() if s in tpl.connections}
        definition = ProcessDefinition.model_validate(tpl.render(wanted))
        process = unique(f"{name}-")
        names.append(process)
        with session_scope(engine) as session:
            row = ProcessVersion(
                name=process,
                version=1,
                definition=definition.model_dump(mode="json"),
                content_hash=content_hash(definition),
                status="published",
                destructive=[],
                created_by="template-tests",
            )
            session.add(row)
            session.commit()
        return process, 1, content_hash(definition)

    yield put
    with session_scope(engine) as session:
        for row in session.exec(select(ProcessVersion).where(ProcessVersion.name.in_(names))):  # type: ignore[attr-defined]
            session.delete(row)
        session.commit()


async def start(
    client: Client, worker: Worker, pin: Pin, input: dict[str, Any]
) -> WorkflowHandle[Any, DesignedRunResult]:
    arg = DesignedRunInput(
        name=pin[0],
        version=pin[1],
        content_hash=pin[2],
        input=input,
        started_by="registrar",
        run_key=uuid.uuid4().hex[:12],
    )
    return await client.start_workflow(
        DesignedProcess.run,
        arg,
        id=PROCESS.workflow_id(arg),
        task_queue=worker.task_queue,
        execution_timeout=timedelta(minutes=3),
    )


async def waiting_for(handle: WorkflowHandle[Any, Any], step: str) -> None:
    for _ in range(400):
        if any(p["step"] == step for p in await handle.query("pending_decisions")):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{step} never waited for a decision")


# -- the sandbox, system by system -------------------------------------------------------------

VOLATILE = {
    "id", "user_id", "patron_id", "created_at", "updated_at", "updated_on", "received_at",
    "message_id", "Message-ID", "Date", "html_url",
}  # fmt: skip


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


async def sandbox_state(campus: Campus, student_id: str, mail_to: str) -> dict[str, Any]:
    """What the sandbox holds about one student, ids and timestamps left out, the student's id
    (and the login and addresses made of it) replaced by ``<student>``."""
    state: dict[str, Any] = {}
    async with await _client(campus, CanvasClient, "canvas") as canvas:
        try:
            state["canvas_user"] = (await canvas.get_user(sis("user", student_id))).model_dump()
        except NotFound:
            state["canvas_user"] = None
        try:
            enrollments = [
                e.model_dump(exclude={"course_section_id", "user"})
                async for e in canvas.list_user_enrollments(
                    sis("user", student_id), states=["active", "inactive", "deleted"]
                )
            ]
        except NotFound:
            enrollments = []
        state["canvas_enrollments"] = sorted(enrollments, key=lambda e: e["course_id"])
    async with await _client(campus, KohaClient, "koha") as koha:
        patron = await koha.find_patron_by_cardnumber(student_id)
    state["koha_patron"] = patron.model_dump(mode="json") if patron else None
    async with await _client(campus, BursarClient, "finance") as bursar:
        try:
            state["bursar_account"] = (await bursar.get_account(student_id)).model_dump(mode="json")
        except NotFound:
            state["bursar_account"] = None
    async with httpx.AsyncClient(base_url=campus.sandbox_url) as http:
        mails = (await http.get("/comms/_control/mail", params={"to": mail_to})).json()
        state["mail"] = []
        for mail in mails:
            raw = (await http.get(f"/comms/_control/mail/{mail['id']}")).json()["raw"]
            message = email.message_from_string(raw, policy=email.policy.default)
            body = message.get_body(("plain",))
            state["mail"].append(
                {
                    **{k: v for k, v in mail.items() if k != "raw"},
                    "headers": {k: str(v) for k, v in message.items()},
                    "text": body.get_content() if body is not None else None,  # type: ignore[attr-defined]
                }
            )
    text = json.dumps(_stable(state), sort_keys=True, default=str)
    text = text.replace(student_id.lower(), "<student>").replace(student_id, "<student>")
    return dict(json.loads(text))


def designed_input(campus: Campus, student_id: str) -> dict[str, Any]:
    """The hand-written process's admission, as the designed one's input."""
    given = admission(campus, student_id).model_dump(mode="json")
    return {k: given[k] for k in ("student", "courses", "school", "expiry")}


# -- onboarding ---------------------------------------------------------------------------------


async def test_designed_onboarding_leaves_the_sandbox_as_the_hand_written_one(
    campus: Campus, temporal_client: Client, worker: Worker, publish: Any
) -> None:
    pin = publish("student-onboarding", campus)
    by_hand, designed = unique("H2027"), unique("T2027")

    report = await _onboard(temporal_client, worker, admission(campus, by_hand))
    assert report.status == "completed", report.error
    handle = await start(temporal_client, worker, pin, designed_input(campus, designed))
    result = await handle.result()
    assert result.output["welcome"] == "sent" and result.output["enrollments"] == 2

    hand_state = await sandbox_state(campus, by_hand, f"{by_hand.lower()}@students.example.edu")
    designed_state = await sandbox_state(
        campus, designed, f"{designed.lower()}@students.example.edu"
    )
    for system in ("canvas_user", "canvas_enrollments", "koha_patron", "bursar_account", "mail"):
        assert designed_state[system] == hand_state[system], system
    # Not vacuous: each system holds the student.
    assert designed_state["canvas_user"]["sis_user_id"] == "<student>"
    assert [e["enrollment_state"] for e in designed_state["canvas_enrollments"]] == ["active"] * 2
    assert designed_state["koha_patron"]["category_id"] == "ST"
    assert designed_state["bursar_account"]["student_id"] == "<student>"
    [mail] = designed_state["mail"]
    assert mail["subject"] == "Welcome to Springfield High, Noor"
    assert "- library card: <student>" in mail["text"]


async def test_when_the_bursar_refuses_both_undo_the_same_accounts(
    campus: Campus, temporal_client: Client, worker: Worker, publish: Any
) -> None:
    # The bursar only takes letters, digits, '-' and '_' in a student id: a permanent 422.
    pin = publish("student-onboarding", campus)
    by_hand, designed = unique("H2027."), unique("T2027.")

    report = await _onboard(temporal_client, worker, admission(campus, by_hand))
    assert report.status == "compensated"
    handle = await start(temporal_client, worker, pin, designed_input(campus, designed))
    with pytest.raises(WorkflowFailureError) as failed:
        await handle.result()
    assert "step 'find_finance' failed" in str(failed.value.cause)
    progress = await handle.query("progress")
    undone = {r["step"]: r["status"] for r in progress["steps"] if r["step"].startswith(("d", "r"))}
    assert undone == {"delete_account": "done", "drop_enrollment": "done", "remove_patron": "done"}

    hand_state = await sandbox_state(campus, by_hand, f"{by_hand.lower()}@students.example.edu")
    designed_state = await sandbox_state(
        campus, designed, f"{designed.lower()}@students.example.edu"
    )
    assert designed_state == hand_state
    assert designed_state["koha_patron"] is None and designed_state["mail"] == []
    assert {e["enrollment_state"] for e in designed_state["canvas_enrollments"]} <= {"deleted"}


# -- withdrawal ---------------------------------------------------------------------------------


async def test_withdrawal_suspends_tells_the_library_and_closes_only_when_the_bursar_agrees(
    campus: Campus, temporal_client: Client, worker: Worker, publish: Any
) -> None:
    onboarding = publish("student-onboarding", campus)
    withdrawal = publish("student-withdrawal", campus)
    leaving, staying = unique("W2027"), unique("W2027")
    for student_id in (leaving, staying):
        made = await start(temporal_client, worker, onboarding, designed_input(campus, student_id))
        assert (await made.result()).output["enrollments"] == 2

    runs = {
        student_id: await start(
            temporal_client, worker, withdrawal, {"student_id": student_id, "reason": "moved away"}
        )
        for student_id in (leaving, staying)
    }
    for handle in runs.values():
        await waiting_for(handle, "ask_bursar")
    for student_id in (leaving, staying):  # suspended and the library told, while waiting
        state = await sandbox_state(campus, student_id, "nobody@example.edu")
        assert [e["enrollment_state"] for e in state["canvas_enrollments"]] == ["inactive"] * 2
        assert state["koha_patron"]["restricted"] is True

    await runs[leaving].signal(
        DesignedProcess.decide, Decision(step="ask_bursar", outcome="approved", by="bursar")
    )
    await runs[staying].signal(
        DesignedProcess.decide, Decision(step="ask_bursar", outcome="rejected", by="bursar")
    )
    closed, kept = (await runs[leaving].result()).output, (await runs[staying].result()).output
    assert closed == {
        "student_id": leaving,
        "suspended": 2,
        "library_told": True,
        "account": "closed",
        "decided_by": "bursar",
    }
    assert kept["account"] == "suspended" and kept["timed_out"] is False
    # Closed: Canvas deletes the user's enrollments with it (and keeps the user, marked deleted).
    closed_state = await sandbox_state(campus, leaving, "x@example.edu")
    assert [e["enrollment_state"] for e in closed_state["canvas_enrollments"]] == ["deleted"] * 2
    kept_state = await sandbox_state(campus, staying, "x@example.edu")
    assert [e["enrollment_state"] for e in kept_state["canvas_enrollments"]] == ["inactive"] * 2


# -- nightly roster sync ------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def own_campus(
    tmp_path_factory: pytest.TempPathFactory, engine: Engine, credentials: Credentials
) -> AsyncIterator[Campus]:
    """A sandbox SIS and Canvas of this module's own for the nightly sync, which reads every
    Canvas user and refuses a side of 1000 or more: the session's sandbox Canvas gains hundreds
    of users from the other tests."""
    with serve(create_sandbox(tmp_path_factory.mktemp("nightly"), seed=42, size="demo")) as url:
        campus = Campus(sandbox_url=url, sis=unique("nightly-sis-"), lms=unique("nightly-lms-"))
        for name, system in ((campus.sis, "oneroster"), (campus.lms, "canvas")):
            secret = await credentials_of(url, system)
            await register_connection(engine, credentials, name, system, f"{url}/{system}", secret)
        yield campus
        await remove_integrations(engine, credentials, [campus.sis, campus.lms])


async def test_roster_sync_waits_for_an_administrator_above_the_deletion_share(
    own_campus: Campus, temporal_client: Client, worker: Worker, publish: Any
) -> None:
    """Canvas users of a SIS-id prefix the SIS does not know are deletions: all of them (share
    1.0), more than 0.5: an administrator decides; rejected, nobody goes; approved, they go."""
    pin = publish("nightly-roster-sync", own_campus)
    prefix = unique("gone-")
    async with await _client(own_campus, CanvasClient, "canvas") as canvas:
        for n in range(2):
            sis_id = f"{prefix}{n}"
            await canvas.create_user(
                NewUser(name=f"Gone {n}", unique_id=f"{sis_id}@x.edu", sis_user_id=sis_id)
            )
    settings = {"max_delete_share": 0.5, "sis_prefix": prefix, "sis_filter": "familyName='Haddad'"}

    held = await start(temporal_client, worker, pin, settings)
    await waiting_for(held, "approve_deletions")
    await held.signal(
        DesignedProcess.decide, Decision(step="approve_deletions", outcome="rejected", by="ops")
    )
    output = (await held.result()).output
    assert output["managed"] == 2 and output["deletions_share"] == 1.0
    assert (output["deleted"], output["held_back"], output["approval"]) == ([], 2, "rejected")

    approved = await start(temporal_client, worker, pin, settings)
    await waiting_for(approved, "approve_deletions")
    await approved.signal(
        DesignedProcess.decide, Decision(step="approve_deletions", outcome="approved", by="ops")
    )
    output = (await approved.result()).output
    assert sorted(output["deleted"]) == [f"{prefix}0", f"{prefix}1"]

    # Canvas no longer lists them: nothing managed, no share, no approval, nothing created.
    quiet = await (await start(temporal_client, worker, pin, settings)).result()
    assert quiet.output["managed"] == 0 and quiet.output["deletions_share"] is None
    assert quiet.output["deleted"] == [] and quiet.output["approval"] is None
    assert quiet.output["created"] == 0
