"""Proctoring platform client: exams, sessions and webhook subscriptions.

Credentials are ``{"api_key": ...}``, read again after a 401. Creating an exam or a session is
idempotent on the platform side (by the LMS assignment id / the student id), so an activity
retry returns the same object instead of a duplicate.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, TypeVar

from pydantic import BaseModel

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

    async def create_exam(self, exam: ExamCreate) -> Exam:
        response = await self._request(
            "POST", "/v1/exams", json=exam.model_dump(mode="json", exclude_none=True)
        )
        return self._parse(Exam, self._decode(response), "created exam")

    async def find_exam(self, external_id: str) -> Exam | None:
        async for exam in self._list("/v1/exams", Exam, 1, external_id=external_id):
            return exam
        return None

    async def get_exam(self, exam_id: str) -> Exam:
        return self._parse(
            Exam, self._decode(await self._request("GET", f"/v1/exams/{exam_id}")), "exam"
        )

    async def schedule_session(self, exam_id: str, session: SessionCreate) -> Session:
        response = await self._request(
            "POST",
            f"/v1/exams/{exam_id}/sessions",
            json=session.model_dump(mode="json", exclude_none=True),
        )
        return self._parse(Session, self._decode(response), "scheduled session")

    def list_sessions(self, exam_id: str, *, page_size: int = 50) -> AsyncIterator[Session]:
        return self._list(f"/v1/exams/{exam_id}/sessions", Session, page_size)

    async def get_session(self, session_id: str) -> Session:
        response = await self._request("GET", f"/v1/sessions/{session_id}")
        return self._parse(Session, self._decode(response), "session")

    async def subscribe(self, url: str, events: list[str]) -> WebhookEndpoint:
        """Register ``url``; keep the returned ``secret`` (in Vault) to verify deliveries."""
        response = await self._request("POST", "/v1/webhooks", json={"url": url, "events": events})
        return self._parse(WebhookEndpoint, self._decode(response), "webhook endpoint")

    async def unsubscribe(self, webhook_id: str) -> None:
        await self._request("DELETE", f"/v1/webhooks/{webhook_id}")
