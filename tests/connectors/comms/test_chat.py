"""Slack and Teams incoming webhooks against the emulator over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from connectors.actions import UnlistedWrite
from connectors.comms import SlackWebhook, TeamsWebhook
from connectors.credentials import static_credentials
from connectors.errors import InvalidRequest, NotFound, RateLimited, ServerError
from tests.sandbox.control import injected_faults


def slack(sandbox_url: str, creds: dict[str, str], path: str | None = None) -> SlackWebhook:
    url = f"{sandbox_url}/comms/slack{path or creds['slack_webhook_path']}"
    return SlackWebhook(static_credentials({"webhook_url": url}), timeout=5)


def teams(sandbox_url: str, creds: dict[str, str]) -> TeamsWebhook:
    url = f"{sandbox_url}/comms/teams{creds['teams_webhook_path']}"
    return TeamsWebhook(static_credentials({"webhook_url": url}), timeout=5)


async def test_slack_posts_are_stored(
    sandbox_url: str, comms_credentials: dict[str, str], control: httpx.AsyncClient
) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Roster sync* finished"}}]
    async with slack(sandbox_url, comms_credentials) as hook:
        await hook.post("Roster sync finished", blocks)
        with pytest.raises(InvalidRequest, match="no_text"):
            await hook.post("")
    stored = (await control.get("/chat", params={"kind": "slack"})).json()
    assert stored[0]["payload"] == {"text": "Roster sync finished", "blocks": blocks}
    async with slack(sandbox_url, comms_credentials, "/services/T000/B000/XXXX") as revoked:
        with pytest.raises(NotFound, match="no_service"):
            await revoked.post("hello")


async def test_teams_cards_are_stored(
    sandbox_url: str, comms_credentials: dict[str, str], control: httpx.AsyncClient
) -> None:
    card = {
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [{"type": "TextBlock", "text": "Grades passed back"}],
    }
    async with teams(sandbox_url, comms_credentials) as hook:
        await hook.post_adaptive_card(card)
        await hook.post_message_card("Nightly batch", "2 holds placed, 1 line rejected")
        with pytest.raises(InvalidRequest, match="Summary or Text"):
            await hook.post_message_card("", "")
    stored = (await control.get("/chat", params={"kind": "teams"})).json()
    assert stored[0]["payload"]["summary"] == "Nightly batch"
    assert stored[1]["payload"]["attachments"][0]["content"] == card


async def test_rate_limit_and_server_errors(
    sandbox_url: str, comms_credentials: dict[str, str]
) -> None:
    async with slack(sandbox_url, comms_credentials) as hook:
        async with injected_faults(sandbox_url, "comms", rate_limit_per_second=1.0):
            await hook.post("one")
            with pytest.raises(RateLimited) as limited:
                await hook.post("two")
            assert limited.value.retry_after >= 1
            await hook.post("three")  # waited out Retry-After, so no second 429
        async with injected_faults(sandbox_url, "comms", error_rate=1.0):
            with pytest.raises(ServerError):
                await hook.post("four")


async def test_a_post_outside_every_action_is_refused(
    sandbox_url: str, comms_credentials: dict[str, str], control: httpx.AsyncClient
) -> None:
    before = len((await control.get("/chat", params={"kind": "slack"})).json())
    async with slack(sandbox_url, comms_credentials) as hook:
        with pytest.raises(UnlistedWrite, match="slack: POST to the webhook"):
            await hook._post({"text": "unlisted"})
    assert len((await control.get("/chat", params={"kind": "slack"})).json()) == before
