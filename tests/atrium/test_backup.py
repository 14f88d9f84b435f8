"""A backup taken from a running stack (OpenBao, a Temporal dev server with its database file,
the SQLite store, the API) restores into a new state folder, and the restored stack serves the
same integrations, secrets, runs and audit chain, with /readyz answering 200."""

from __future__ import annotations

import stat
import tarfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from atrium.backup import BackupError, backup, restore
from atrium.credentials import Credentials
from atrium.db import make_engine
from atrium.migrations import upgrade
from atrium.settings import (
    ApiSettings,
    EgressSettings,
    EventsSettings,
    Settings,
    TemporalSettings,
    VaultSettings,
)
from atrium.stack.openbao import OpenBaoServer
from atrium.stack.temporal_dev import TemporalDevServer
from tests.support.auth import login, make_user
from tests.support.servers import free_port, serve


def stack_settings(state: Path) -> Settings:
    return Settings(
        state_dir=state,
        temporal=TemporalSettings(address=f"127.0.0.1:{free_port()}", ui_port=free_port()),
        vault=VaultSettings(address=f"http://127.0.0.1:{free_port()}"),
        api=ApiSettings(port=free_port(), eager_worker=False),
        events=EventsSettings(subscriber_allowed_hosts=["127.0.0.1"]),
        egress=EgressSettings(allowed_hosts=["127.0.0.1"]),
    )


@contextmanager
def running(settings: Settings) -> Iterator[tuple[str, Credentials]]:
    """The embedded stack's servers in ``settings.state_dir`` and the API in front of them."""
    from api.main import create_app

    bao = OpenBaoServer(settings.state_dir, port=settings.vault.port)
    temporal = TemporalDevServer(
        port=settings.temporal.port,
        ui_port=settings.temporal.ui_port,
        db_file=settings.state_dir / "temporal.db",
    )
    token = bao.start()
    try:
        temporal.start()
        try:
            settings.vault.token = None  # read from the state folder, as `atrium up` does
            upgrade(settings.database_url)
            make_engine(settings.database_url).dispose()
            with serve(create_app(settings), port=settings.api.port) as url:
                yield url, Credentials(settings.vault, token=token)
        finally:
            temporal.stop()
    finally:
        bao.stop()


def test_backup_restores_into_a_new_folder(tmp_path: Path) -> None:
    source = stack_settings(tmp_path / "source")
    name = f"lms-{uuid.uuid4().hex[:8]}"
    with running(source) as (url, _):
        engine = make_engine(source.database_url)
        headers = {"Authorization": f"Bearer {login(url, make_user(engine, 'administrator'))}"}
        with httpx.Client(base_url=url, headers=headers, timeout=30) as api:
            body = {"name": name, "system": "generic", "base_url": "http://127.0.0.1:9"}
            assert api.post("/api/v1/integrations", json=body).status_code == 201
            secret = {"values": {"api_key": "s3cret-value"}}
            assert api.put(f"/api/v1/integrations/{name}/secret", json=secret).status_code == 200
            # No worker: the run waits in Temporal's database, as a run in flight would.
            run = api.post(f"/api/v1/integrations/{name}/health-check").json()["workflow_id"]
            chain = api.get("/api/v1/audit/verify").json()
            assert chain["ok"] and chain["checked"] >= 2
        made = backup(source, tmp_path / "atrium.tar.gz")  # while the stack runs
    assert stat.S_IMODE((tmp_path / "atrium.tar.gz").stat().st_mode) == 0o600
    assert {"store.sqlite", "vault.snap", "temporal.sqlite", "vault-keys/unseal-key"} <= set(
        made.parts
    )

    target = stack_settings(tmp_path / "target")
    restore(target, made.path)
    with pytest.raises(BackupError, match="new state folder"):
        restore(target, made.path)
    with running(target) as (url, credentials):
        engine = make_engine(target.database_url)
        headers = {"Authorization": f"Bearer {login(url, make_user(engine, 'administrator'))}"}
        with httpx.Client(base_url=url, headers=headers, timeout=30) as api:
            assert api.get("/readyz").status_code == 200, api.get("/readyz").text
            assert api.get(f"/api/v1/integrations/{name}").json()["has_secret"] is True
            assert api.get(f"/api/v1/runs/{run}").json()["status"] == "Running"
            restored_chain = api.get("/api/v1/audit/verify").json()
            assert restored_chain["ok"] and restored_chain["checked"] >= chain["checked"]
        import asyncio

        assert asyncio.run(credentials.read(name)) == {"api_key": "s3cret-value"}


def test_a_damaged_backup_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "bad.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(Path(__file__), arcname="manifest.json")
    with pytest.raises(BackupError, match="no valid manifest"):
        restore(stack_settings(tmp_path / "target"), archive)
