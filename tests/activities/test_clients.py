"""How the runtime builds the clients that are not REST clients: every catalog client can be
built for run_action, and the SFTP login, chat webhook and drop settings are read one way."""

from __future__ import annotations

from typing import Any, cast

import pytest
from temporalio.exceptions import ApplicationError

from activities.clients import BUILDERS, REST, drop_client, sftp_login, webhook_source
from activities.runtime import Runtime
from atrium.models import Integration
from connectors.catalog import catalog
from connectors.credentials import static_credentials


def row(system: str, **options: Any) -> Integration:
    return Integration(
        name="conn",
        system=system,
        base_url="https://files.school.example",
        health_path="/",
        description="",
        options=options,
    )


def test_every_catalog_client_can_be_built() -> None:
    unbuildable = {e.client.__name__ for e in catalog().values()} - {
        c.__name__ for c in (*REST, *BUILDERS)
    }
    assert unbuildable == set()


async def test_an_sftp_login_is_pinned_and_reads_options_before_the_secret() -> None:
    with pytest.raises(ApplicationError, match="no sftp_host_key") as refused:
        sftp_login(row("finance"), {"sftp_username": "u"}, system="finance-sftp")
    assert refused.value.non_retryable
    fields = {"sftp_username": "u", "sftp_private_key": "KEY", "sftp_port": "2022"}
    login = sftp_login(row("finance", sftp_host_key="ssh-ed25519 AAAA"), fields, system="s")
    assert (login.host, login.port, login.host_key) == (
        "files.school.example",
        2022,
        "ssh-ed25519 AAAA",
    )
    assert await login.credentials() == {"username": "u", "private_key": "KEY"}
    moved = sftp_login(
        row("finance", sftp_host="10.0.0.5", sftp_port=22),
        {**fields, "sftp_host_key": "k"},
        system="s",
    )
    assert (moved.host, moved.port) == ("10.0.0.5", 22)  # options win over the secret


async def test_a_chat_webhook_url_comes_from_the_secret_or_the_base_url() -> None:
    given = static_credentials({"slack_webhook_url": "https://hooks.example/T/B/X"})
    assert await webhook_source(given, "https://comms.example", "slack")() == {
        "webhook_url": "https://hooks.example/T/B/X"
    }
    by_path = static_credentials({"teams_webhook_path": "/webhookb2/abc"})
    assert await webhook_source(by_path, "https://comms.example/", "teams")() == {
        "webhook_url": "https://comms.example/teams/webhookb2/abc"
    }


async def test_a_drop_is_only_built_for_a_csv_source() -> None:
    runtime = cast(Runtime, object())  # refused before the runtime is asked for anything
    with pytest.raises(ApplicationError, match="not a CSV source"):
        await drop_client(runtime, row("oneroster"))
