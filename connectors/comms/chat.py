"""Post notifications to Slack and Microsoft Teams incoming webhooks.

A webhook URL is itself the secret, so it comes from the credential source
(``{"webhook_url": ...}``) and never reaches a log: calls are logged with the host only.
``SlackWebhook`` answers ``ok`` or a plain-text error code (``invalid_payload``, ``no_text``,
``no_service``, ...); ``TeamsWebhook`` answers ``1`` or a plain-text error, sometimes with a 200.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import structlog

from connectors.actions import action, check_write
from connectors.credentials import CredentialSource
from connectors.errors import AuthError, InvalidRequest, NotFound, RateLimited, ServerError
from connectors.http import HttpConnector, parse_retry_after

log = structlog.get_logger("connector")


class _Webhook(HttpConnector):
    ok_body = ""

    def __init__(
        self,
        credentials: CredentialSource,
        *,
        timeout: float = 15.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__("", timeout=timeout, transport=transport)
        self._credentials = credentials

    async def _post(self, payload: dict[str, Any]) -> None:
        await self._wait_turn()
        url = httpx.URL((await self._credentials()).get("webhook_url", ""))
        check_write(self.system, f"POST to the webhook at {url.host}")
        started = time.perf_counter()
        try:
            response = await self._client.post(url, json=payload)
        except httpx.TimeoutException as exc:
            raise ServerError(
                f"{self.system}: timeout posting to {url.host}", system=self.system
            ) from exc
        except httpx.TransportError as exc:
            raise ServerError(
                f"{self.system}: cannot reach {url.host}: {exc}", system=self.system
            ) from exc
        log.debug(
            "http",
            system=self.system,
            method="POST",
            host=url.host,
            status=response.status_code,
            ms=round((time.perf_counter() - started) * 1000, 1),
        )
        body = response.text.strip()
        if response.status_code == 200 and body == self.ok_body:
            return
        self._fail(response.status_code, body, response.headers.get("Retry-After"))

    def _fail(self, status: int, body: str, retry_after: str | None) -> None:
        msg = f"{self.system}: webhook answered {status}: {body[:200]}"
        if status == 429 or "429" in body:
            wait = parse_retry_after(retry_after, default=1.0)
            self.slow_down(wait)
            raise RateLimited(msg, retry_after=wait, status=status, system=self.system)
        if status >= 500:
            raise ServerError(msg, status=status, system=self.system)
        if status in (401, 403):
            raise AuthError(msg, status=status, system=self.system)
        if status in (404, 410):
            raise NotFound(msg, status=status, system=self.system)
        raise InvalidRequest(msg, status=status, system=self.system)


class SlackWebhook(_Webhook):
    system = "slack"
    ok_body = "ok"

    @action("comms.post_slack", effect="write")
    async def post(self, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        """Post a message to a Slack channel's incoming webhook.

        ``text`` is the notification fallback when ``blocks`` are given."""
        await self._post({"text": text, **({"blocks": blocks} if blocks else {})})


class TeamsWebhook(_Webhook):
    system = "teams"
    ok_body = "1"

    @action("comms.post_teams_card", effect="write")
    async def post_adaptive_card(self, card: dict[str, Any]) -> None:
        """Post an Adaptive Card to a Teams channel's incoming webhook."""
        await self._post(
            {
                "type": "message",
                "attachments": [
                    {
                        "contentType": "application/vnd.microsoft.card.adaptive",
                        "contentUrl": None,
                        "content": card,
                    }
                ],
            }
        )

    @action("comms.post_teams_message", effect="write")
    async def post_message_card(self, title: str, text: str, theme_color: str = "0076D7") -> None:
        """Post a titled message (a MessageCard) to a Teams channel's incoming webhook."""
        await self._post(
            {
                "@type": "MessageCard",
                "@context": "https://schema.org/extensions",
                "summary": title,
                "title": title,
                "text": text,
                "themeColor": theme_color,
            }
        )
