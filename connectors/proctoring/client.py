"""Proctoring platform client: exams, sessions and webhook subscriptions.

Credentials are ``{"api_key": ...}``, read again after a 401. Creating an exam or a session is
idempotent on the platform side (by the LMS assignment id / the student id), so an activity
retry returns the same object instead of a duplicate.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from connectors.credentials import CredentialSource
from connectors.errors import AuthError, MalformedResponse
from connectors.http import HttpConnector
from connectors.proctoring.models import Exam, ExamCreate, Session, SessionCreate, WebhookEndpoint

M = TypeVar("M", bound=BaseModel)


class ProctoringClient(HttpConnector):
    system = "proctoring"

    def __init__(
        self,
        base_url: str,
        credentials: CredentialSource,
        *,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(base_url, timeout=timeout, transport=transport)
        self._credentials = credentials
        self._api_key: str | None = None

    async def _auth_headers(self) -> dict[str, str]:
        if self._api_key is None:
            self._api_key = (await self._credentials()).get("api_key", "")
        return {"Authorization": f"Bearer {self._api_key}"}

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return await super()._request(method, path, **kwargs)
        except AuthError:
            self._api_key = None  # rotated? read the source once more
            return await super()._request(method, path, **kwargs)

    def _body(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise MalformedResponse(
                f"proctoring: {response.request.url.path} answered non-JSON: "
                f"{response.text[:120]!r}",
                system=self.system,
            ) from exc

    def _model(self, model: type[M], data: Any, where: str) -> M:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise MalformedResponse(f"proctoring: {where}: {exc}", system=self.system) from exc

    async def _list(
        self, path: str, model: type[M], page_size: int, **params: Any
    ) -> AsyncIterator[M]:
        after: str | None = None
        while True:
            query = {"limit": page_size, **params, **({"starting_after": after} if after else {})}
            response = await self._request("GET", path, params=query)
            body = self._body(response)
            if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                raise MalformedResponse(
                    f"proctoring: {path} is not a list object", system=self.system
                )
            for record in body["data"]:
                item = self._model(model, record, f"{path} item")
                yield item
                after = getattr(item, "id", after)
            if not body.get("has_more"):
                return

    async def create_exam(self, exam: ExamCreate) -> Exam:
        response = await self._request(
            "POST", "/v1/exams", json=exam.model_dump(mode="json", exclude_none=True)
        )
        return self._model(Exam, self._body(response), "created exam")

    async def find_exam(self, external_id: str) -> Exam | None:
        async for exam in self._list("/v1/exams", Exam, 1, external_id=external_id):
            return exam
        return None

    async def get_exam(self, exam_id: str) -> Exam:
        return self._model(
            Exam, self._body(await self._request("GET", f"/v1/exams/{exam_id}")), "exam"
        )

    async def schedule_session(self, exam_id: str, session: SessionCreate) -> Session:
        response = await self._request(
            "POST",
            f"/v1/exams/{exam_id}/sessions",
            json=session.model_dump(mode="json", exclude_none=True),
        )
        return self._model(Session, self._body(response), "scheduled session")

    def list_sessions(self, exam_id: str, *, page_size: int = 50) -> AsyncIterator[Session]:
        return self._list(f"/v1/exams/{exam_id}/sessions", Session, page_size)

    async def get_session(self, session_id: str) -> Session:
        response = await self._request("GET", f"/v1/sessions/{session_id}")
        return self._model(Session, self._body(response), "session")

    async def subscribe(self, url: str, events: list[str]) -> WebhookEndpoint:
        """Register ``url``; keep the returned ``secret`` (in Vault) to verify deliveries."""
        response = await self._request("POST", "/v1/webhooks", json={"url": url, "events": events})
        return self._model(WebhookEndpoint, self._body(response), "webhook endpoint")

    async def unsubscribe(self, webhook_id: str) -> None:
        await self._request("DELETE", f"/v1/webhooks/{webhook_id}")
