"""A drop folder over a real SFTP server (the sandbox SIS's): list, bounded download, filing with
a report that is safe to repeat, a second file of the same name kept apart, a pinned host key."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import asyncssh
import pytest

from connectors.actions import UnlistedWrite
from connectors.credentials import static_credentials
from connectors.errors import AuthError, InvalidRequest, NotFound
from connectors.sftp import DropClient, SftpLogin, open_sftp
from connectors.sftp.session import move, put_once
from sandbox.context import SystemContext
from sandbox.finance.sftp import host_public_key
from tests.workflows.csv_drop_env import SisDrop, sis_drop


@pytest.fixture
async def drop(tmp_path: Path) -> AsyncIterator[SisDrop]:
    async with sis_drop(SystemContext(name="oneroster", data_dir=tmp_path, seed=3)) as served:
        yield served


def client(drop: SisDrop, *, host_key: str | None = None, max_bytes: int = 1 << 20) -> DropClient:
    creds = drop.ctx.credentials
    login = SftpLogin(
        host="127.0.0.1",
        port=drop.port,
        host_key=host_key or host_public_key(drop.ctx),
        credentials=static_credentials(
            {"username": creds["sftp_username"], "password": creds["sftp_password"]}
        ),
        system="sis-sftp",
        timeout=5,
    )
    return DropClient(login, max_bytes=max_bytes)


async def test_list_download_and_file_once(drop: SisDrop) -> None:
    drop.put("b-20260902.zip", b"second")
    drop.put("a-20260901.zip", b"first")
    drop.put("notes.txt", b"not a package")
    (drop.root / "drop" / ".c.zip.part").write_bytes(b"half written")
    sftp = client(drop)
    assert [f.name for f in await sftp.list()] == ["a-20260901.zip", "b-20260902.zip"]
    assert await sftp.download("a-20260901.zip") == b"first"
    report = json.dumps({"outcome": "processed"}).encode()
    path = await sftp.file("a-20260901.zip", "processed", report, again_as="run-1")
    assert path == "processed/a-20260901.zip.report.json"
    again = await sftp.file("a-20260901.zip", "processed", b"other", again_as="run-1")
    assert again == path  # a retry: nothing written twice
    assert (drop.root / path).read_bytes() == report
    assert (drop.root / "processed" / "a-20260901.zip").read_bytes() == b"first"
    assert [f.name for f in await sftp.list()] == ["b-20260902.zip"]


async def test_a_name_used_again_is_filed_beside_the_first(drop: SisDrop) -> None:
    sftp = client(drop)
    drop.put("p.zip", b"one")
    await sftp.file("p.zip", "processed", b"{}", again_as="run-1")
    drop.put("p.zip", b"two")
    path = await sftp.file("p.zip", "processed", b'{"n": 2}', again_as="run-2")
    assert path == "processed/p.zip.run-2.report.json"
    assert (drop.root / "processed" / "p.zip").read_bytes() == b"one"
    assert (drop.root / "processed" / "p.zip.run-2").read_bytes() == b"two"
    assert await sftp.file("p.zip", "processed", b"{}", again_as="run-2") == path  # retried


async def test_refusals_are_typed(drop: SisDrop) -> None:
    drop.put("big.zip", b"x" * 2048)
    with pytest.raises(InvalidRequest, match="more than 1024"):
        await client(drop, max_bytes=1024).download("big.zip")
    with pytest.raises(InvalidRequest, match="plain file name"):
        await client(drop).download("../etc/passwd")
    with pytest.raises(InvalidRequest, match="outcome"):
        await client(drop).file("big.zip", "elsewhere", b"{}", again_as="r")  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        await client(drop).file("never-dropped.zip", "processed", b"{}", again_as="r")
    stranger = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    with pytest.raises(AuthError, match="host key"):
        await client(drop, host_key=stranger).list()
    outdated = client(drop)
    drop.ctx.credentials["sftp_password"] = "rotated"  # the server now wants another password
    with pytest.raises(AuthError, match="login refused"):
        await asyncio.wait_for(outdated.list(), 10)


async def test_a_write_outside_every_action_is_refused(drop: SisDrop) -> None:
    """SFTP writes tell the action gate, as HTTP writes do: strict mode refuses them unlisted."""
    drop.put("q.zip", b"data")
    async with open_sftp(client(drop).login) as sftp:
        with pytest.raises(UnlistedWrite, match="upload processed/x.json"):
            await put_once(sftp, "processed/x.json", b"{}", system="sis-sftp")
        with pytest.raises(UnlistedWrite, match="move drop/q.zip"):
            await move(sftp, "drop/q.zip", "processed/q.zip", system="sis-sftp")
    assert not (drop.root / "processed" / "x.json").exists()
    assert (drop.root / "drop" / "q.zip").exists()
