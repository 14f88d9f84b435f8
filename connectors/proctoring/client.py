"""Proctoring platform client: exams, sessions and webhook subscriptions.

Credentials are ``{"api_key": ...}``, read again after a 401. Creating an exam or a session is
idempotent on the platform side (by the LMS assignment id / the student id), so an activity
retry returns the same object instead of a duplicate.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, TypeVar

from pydantic import BaseModel

from connectors.actions import action
from connectors.errors import MalformedResponse
from connectors.http import ApiKeyConnector
from connectors.proctoring.models import Exam, ExamCreate, Session, SessionCreate, WebhookEndpoint

M = TypeVar("M", bound=BaseModel)


class ProctoringClient(ApiKeyConnector):
    system = "proctoring"

    async def _list(
        self, path: str, model: type[M], page_size: int, **params: Any
    ) -> AsyncIterator[M]:
        after: str | None = None
        while True:
            query = {"limit": page_size, **params, **({"starting_after": after} if after else {})}
            response = await self._request("GET", path, params=query)
            body = self._decode(response)
            if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                raise MalformedResponse(
                    f"proctoring: {path} is not a list object", system=self.system
                )
            for record in body["data"]:
                item = self._parse(model, record, f"{path} item")
                yield item
                after = getattr(item, "id", after)
            if not body.get("has_more"):
                return

    @action("proctoring.create_exam", effect="write", key="exam.external_id")
    async def create_exam(self, exam: ExamCreate) -> Exam:
        """Create a proctored exam; the platform answers the same exam again for the same
        ``external_id`` (the LMS assignment id)."""
        response = await self._request(
            "POST", "/v1/exams", json=exam.model_dump(mode="json", exclude_none=True)
        )
        return self._parse(Exam, self._decode(response), "created exam")

    @action("proctoring.find_exam", effect="read")
    async def find_exam(self, external_id: str) -> Exam | None:
        """The exam of an LMS assignment id, if there is one."""
        async for exam in self._list("/v1/exams", Exam, 1, external_id=external_id):
            return exam
        return None

    @action("proctoring.get_exam", effect="read")
    async def get_exam(self, exam_id: str) -> Exam:
        """One exam by the platform's id."""
        return self._parse(
            Exam, self._decode(await self._request("GET", f"/v1/exams/{exam_id}")), "exam"
        )

    @action("proctoring.schedule_session", effect="write", key="session.external_student_id")
    async def schedule_session(self, exam_id: str, session: SessionCreate) -> Session:
        """Schedule a student's session of an exam; the platform answers the same session
        again for the same student."""
        response = await self._request(
            "POST",
            f"/v1/exams/{exam_id}/sessions",
            json=session.model_dump(mode="json", exclude_none=True),
        )
        return self._parse(Session, self._decode(response), "scheduled session")

    @action("proctoring.list_sessions", effect="read")
    def list_sessions(self, exam_id: str, *, page_size: int = 50) -> AsyncIterator[Session]:
        """Every session of an exam, with its result once reviewed."""
        return self._list(f"/v1/exams/{exam_id}/sessions", Session, page_size)

    @action("proctoring.get_session", effect="read")
    async def get_session(self, session_id: str) -> Session:
        """One session by the platform's id."""
        response = await self._request("GET", f"/v1/sessions/{session_id}")
        return self._parse(Session, self._decode(response), "session")

    @action("proctoring.subscribe", effect="write")
    async def subscribe(self, url: str, events: list[str]) -> WebhookEndpoint:
        """Subscribe ``url`` to the platform's webhook ``events``.

        The answer carries the signing ``secret`` once: keep it in Vault to verify deliveries."""
        response = await self._request("POST", "/v1/webhooks", json={"url": url, "events": events})
        return self._parse(WebhookEndpoint, self._decode(response), "webhook endpoint")

    @action("proctoring.unsubscribe", effect="destructive")
    async def unsubscribe(self, webhook_id: str) -> None:
        """Remove a webhook subscription: the platform stops sending its events."""
        await self._request("DELETE", f"/v1/webhooks/{webhook_id}")
