"""The nightly holds batch over a real SFTP server: parse, report bad lines, acknowledge."""

from __future__ import annotations

import json

import asyncssh
import pytest

from connectors.credentials import CredentialSource, static_credentials
from connectors.errors import AuthError, NotFound, ServerError
from connectors.finance.batch import BursarBatchClient
from connectors.finance.holds_csv import parse_holds_csv
from connectors.sftp import SftpLogin
from tests.connectors.finance.conftest import SftpServer, write_batch
from tests.sandbox.control import MutableCredentials


def client(
    server: SftpServer,
    creds: CredentialSource,
    *,
    host: str | None = None,
    port: int | None = None,
    host_key: str | None = None,
    timeout: float = 5,
) -> BursarBatchClient:
    login = SftpLogin(
        host=host or server.host,
        port=port or server.port,
        host_key=host_key or server.host_key,
        credentials=creds,
        system="finance-sftp",
        timeout=timeout,
    )
    return BursarBatchClient(login)


async def test_seeded_batch_uses_good_lines_and_reports_bad_ones(
    bursar_sftp: SftpServer, sftp_credentials: MutableCredentials
) -> None:
    batches = client(bursar_sftp, sftp_credentials)
    names = [b.name for b in await batches.list_batches(include_acknowledged=True)]
    assert {"holds-20250901.csv", "holds-20250902.csv"} <= set(names)
    batch = await batches.fetch("holds-20250902.csv")
    assert [(i.line, i.action) for i in batch.instructions] == [(2, "lift"), (5, "place")]
    assert batch.instructions[1].reason == "Lost items, two books"
    assert batch.instructions[1].effective_at.utcoffset() is not None
    assert [(e.line, e.column) for e in batch.errors] == [(3, 3), (4, 5)]
    assert "suspend" in batch.errors[0].message and str(batch.errors[1]).startswith(
        "holds-20250902.csv:4:5"
    )


async def test_acknowledgement_is_idempotent(
    sandbox_url: str, bursar_sftp: SftpServer, sftp_credentials: MutableCredentials
) -> None:
    name = "holds-20250915.csv"
    await write_batch(
        sandbox_url,
        name,
        "student_id,hold_type,action,reason,effective_at\nS100001,library,place,Fine,2025-09-15T01:00:00Z\n"
        "S100002,library,place,Fine\n",
    )
    batches = client(bursar_sftp, sftp_credentials)
    assert name in [b.name for b in await batches.list_batches()]
    batch = await batches.fetch(name)
    assert (
        len(batch.instructions) == 1 and batch.errors[0].line == 3 and batch.errors[0].column == 5
    )
    first = await batches.acknowledge(batch)
    second = await batches.acknowledge(batch)
    assert (first.already_acknowledged, second.already_acknowledged) == (False, True)
    ack = json.loads((bursar_sftp.root / "inbox" / f"{name}.ack.json").read_text())
    assert (
        ack["sha256"] == batch.sha256
        and ack["accepted_lines"] == [2]
        and ack["rejected"][0]["line"] == 3
    )
    assert (bursar_sftp.root / "processed" / name).exists()
    assert name not in [b.name for b in await batches.list_batches()]
    with pytest.raises(NotFound):
        await batches.download(name)


async def test_wrong_password_rotation_and_key_login(
    bursar_sftp: SftpServer, sftp_credentials: MutableCredentials
) -> None:
    wrong = static_credentials({"username": "atrium", "password": "nope"})
    with pytest.raises(AuthError):
        await client(bursar_sftp, wrong).list_batches()
    original = dict(bursar_sftp.ctx.credentials)
    key = asyncssh.generate_private_key("ssh-ed25519")
    try:
        bursar_sftp.ctx.credentials["sftp_password"] = "rotated-password"
        batches = client(bursar_sftp, sftp_credentials)
        with pytest.raises(AuthError):
            await batches.list_batches()
        sftp_credentials.values["password"] = "rotated-password"  # Vault got the new secret
        assert await batches.list_batches(include_acknowledged=True)
        bursar_sftp.ctx.credentials["sftp_authorized_key"] = key.export_public_key().decode()
        by_key = MutableCredentials(
            {"username": "atrium", "private_key": key.export_private_key().decode()}
        )
        assert await client(bursar_sftp, by_key).list_batches(include_acknowledged=True)
    finally:
        bursar_sftp.ctx.credentials.clear()
        bursar_sftp.ctx.credentials.update(original)


async def test_unpinned_host_and_closed_port_fail_typed(
    bursar_sftp: SftpServer, sftp_credentials: MutableCredentials
) -> None:
    impostor = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    with pytest.raises(AuthError, match="host key"):
        await client(bursar_sftp, sftp_credentials, host_key=impostor).list_batches()
    with pytest.raises(ServerError):
        closed = client(bursar_sftp, sftp_credentials, host="127.0.0.1", port=1, timeout=2)
        await closed.list_batches()


def test_malformed_files_are_reported_not_dropped() -> None:
    bad_header = parse_holds_csv("h.csv", b"id,type\nS1,library\n")
    assert bad_header.instructions == [] and bad_header.errors[0].line == 1
    not_utf8 = parse_holds_csv(
        "h.csv", b"student_id,hold_type,action,reason,effective_at\n\xff\xfe,x\n"
    )
    assert not_utf8.errors[0].line == 0 and "UTF-8" in not_utf8.errors[0].message
    short = parse_holds_csv(
        "h.csv", b"student_id,hold_type,action,reason,effective_at\nS1,library\n\n"
    )
    assert [(e.line, e.column) for e in short.errors] == [(2, 3)]
    naive = parse_holds_csv(
        "h.csv",
        b"student_id,hold_type,action,reason,effective_at\nS1,lib,lift,x,2025-01-01T00:00\n",
    )
    assert naive.errors[0].column == 5 and "offset" in naive.errors[0].message
