"""The proctoring connector, and the emulator's webhooks verified by Atrium's one verifier (in
the vendor's header format) over real HTTP."""

from __future__ import annotations

import hashlib
import hmac
import time

import httpx
import pytest

from atrium.signatures import HeaderFormat, SignatureError, parse, verify
from connectors.errors import AuthError, MalformedResponse, NotFound, RateLimited, ServerError
from connectors.proctoring import SIGNATURE_HEADER, ProctoringClient
from connectors.proctoring.models import ExamCreate, SessionCreate, WebhookEvent
from tests.connectors.proctoring.conftest import Receiver
from tests.sandbox.control import MutableCredentials, injected_faults, rotated_credentials

VENDOR = HeaderFormat(SIGNATURE_HEADER, "pairs")


def verify_signature(secret: str, header: str | None, body: bytes, now: float | None = None) -> int:
    """The vendor's delivery checked as the API's intake checks it; the signed timestamp."""
    signed = parse({SIGNATURE_HEADER: header} if header is not None else {}, VENDOR)
    verify(signed, secret, body, time.time() if now is None else now, 300, SIGNATURE_HEADER)
    return signed.timestamp


EXAM = ExamCreate(external_id="canvas-assignment-77", title="Midterm", duration_minutes=90)


async def test_exams_and_sessions_are_idempotent_by_external_ids(
    proctoring: ProctoringClient,
) -> None:
    exam = await proctoring.create_exam(EXAM)
    assert (await proctoring.create_exam(EXAM)).id == exam.id
    assert (await proctoring.find_exam("canvas-assignment-77")) == exam
    sessions = [
        await proctoring.schedule_session(exam.id, SessionCreate(external_student_id=f"S10000{i}"))
        for i in range(1, 6)
    ]
    again = await proctoring.schedule_session(exam.id, SessionCreate(external_student_id="S100001"))
    assert again.id == sessions[0].id and again.status == "scheduled"
    listed = [s.id async for s in proctoring.list_sessions(exam.id, page_size=2)]
    assert listed == [s.id for s in sessions]
    with pytest.raises(NotFound):
        await proctoring.get_session("ses_missing")


async def test_completed_session_webhook_is_signed_and_verified(
    sandbox_url: str, proctoring: ProctoringClient, webhook_receiver: Receiver
) -> None:
    endpoint = await proctoring.subscribe(webhook_receiver.url, ["session.completed"])
    assert endpoint.secret and endpoint.secret.startswith("whsec_")
    exam = await proctoring.create_exam(EXAM)
    session = await proctoring.schedule_session(
        exam.id, SessionCreate(external_student_id="S100009")
    )
    flags = [{"type": "second_person", "severity": "high", "at_seconds": 613, "detail": "Voice"}]
    try:
        async with httpx.AsyncClient() as http:
            done = await http.post(
                f"{sandbox_url}/proctoring/_control/sessions/{session.id}/complete",
                json={"score": 81.5, "flags": flags},
            )
        assert [d["status_code"] for d in done.json()["deliveries"]] == [204]
        headers, body = webhook_receiver.received[-1]
        verify_signature(endpoint.secret, headers[SIGNATURE_HEADER.lower()], body)
        event = WebhookEvent.model_validate_json(body)
        result = event.session().result
        assert event.type == "session.completed" and result is not None
        assert result.score == 81.5 and result.review_status == "flagged"
        assert (await proctoring.get_session(session.id)).result == result
        with pytest.raises(SignatureError):
            verify_signature(
                endpoint.secret, headers[SIGNATURE_HEADER.lower()], body.replace(b"81.5", b"99.5")
            )
        with pytest.raises(SignatureError):
            verify_signature("whsec_guess", headers[SIGNATURE_HEADER.lower()], body)
    finally:
        await proctoring.unsubscribe(endpoint.id)


def test_forged_replayed_and_unsigned_webhooks_are_rejected() -> None:
    secret, body, now = "whsec_test", b'{"id":"evt_1"}', int(time.time())
    good = hmac.new(secret.encode(), f"{now}.".encode() + body, hashlib.sha256).hexdigest()
    assert (
        verify_signature(secret, f"t={now},v1={'0' * 64},v1={good}", body) == now
    )  # during a secret roll
    old = hmac.new(secret.encode(), f"{now - 600}.".encode() + body, hashlib.sha256).hexdigest()
    with pytest.raises(SignatureError, match="replay window"):
        verify_signature(secret, f"t={now - 600},v1={old}", body)
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(secret, f"t={now - 600},v1={good}", body)  # a re-dated capture
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(secret, f"t={now},v1={'0' * 64}", body)
    for header in (None, "", f"v1={good}", "t=abc,v1=00", f"t={now},v1=\u00e9\u00e9"):
        with pytest.raises(SignatureError) as caught:
            verify_signature(secret, header, body)
        assert caught.value.header == SIGNATURE_HEADER


async def test_auth_rate_limit_5xx_and_malformed(
    sandbox_url: str, proctoring: ProctoringClient, proctoring_credentials: MutableCredentials
) -> None:
    exam = await proctoring.create_exam(EXAM)
    original = dict(proctoring_credentials.values)
    async with rotated_credentials(sandbox_url, "proctoring", api_key="pk_rotated") as new:
        with pytest.raises(AuthError):
            await proctoring.get_exam(exam.id)
        proctoring_credentials.values = dict(new)
        assert (await proctoring.get_exam(exam.id)).id == exam.id
    proctoring_credentials.values = original  # the sandbox has its original key back
    async with injected_faults(sandbox_url, "proctoring", rate_limit_per_second=1.0):
        with pytest.raises(RateLimited):
            for _ in range(3):
                await proctoring.get_exam(exam.id)
    async with injected_faults(sandbox_url, "proctoring", error_rate=1.0):
        with pytest.raises(ServerError):
            await proctoring.get_exam(exam.id)
    async with injected_faults(sandbox_url, "proctoring", malformed_rate=1.0):
        with pytest.raises(MalformedResponse, match="non-JSON"):
            await proctoring.get_exam(exam.id)
