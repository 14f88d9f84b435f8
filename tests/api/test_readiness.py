"""/readyz names each component that is down, and the API keeps serving meanwhile."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.auth.rbac import PERMISSIONS
from api.main import create_app
from atrium.db import make_engine
from atrium.migrations import upgrade
from atrium.settings import DatabaseSettings, Settings, TemporalSettings, VaultSettings
from atrium.stack.openbao import OpenBaoServer
from atrium.stack.temporal_dev import TemporalDevServer
from tests.support.auth import make_api_key, make_user
from tests.support.servers import free_port, serve


@pytest.fixture
def own_servers(tmp_path: Path) -> Iterator[tuple[TemporalDevServer, OpenBaoServer, Settings]]:
    """A Temporal and an OpenBao of this test's own, so stopping them harms no other test."""
    temporal = TemporalDevServer(port=free_port(), ui_port=free_port())
    bao = OpenBaoServer(tmp_path, port=free_port())
    temporal.start()
    token = bao.start()
    settings = Settings(
        state_dir=tmp_path,
        temporal=TemporalSettings(address=temporal.address),
        vault=VaultSettings(address=bao.address, token=token),
        database=DatabaseSettings(url=f"sqlite:///{tmp_path / 'a.db'}"),
    )
    yield temporal, bao, settings
    temporal.stop()
    bao.stop()


def admin_key(settings: Settings) -> str:
    """An API key of an administrator in this test's own database (keys need no Vault)."""
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    _, key = make_api_key(engine, make_user(engine, "administrator"), list(PERMISSIONS))
    engine.dispose()
    return key


def test_stopping_vault_then_temporal_is_reported(
    own_servers: tuple[TemporalDevServer, OpenBaoServer, Settings],
) -> None:
    temporal, bao, settings = own_servers
    key = admin_key(settings)
    with (
        serve(create_app(settings)) as url,
        httpx.Client(base_url=url, timeout=15, headers={"X-API-Key": key}) as http,
    ):
        ready = http.get("/readyz")
        assert ready.status_code == 200, ready.text
        components = ready.json()["components"]
        assert components.pop("eager_worker") in ("starting", "running")  # information only
        assert components == {"temporal": "ok", "vault": "ok", "database": "ok"}

        bao.stop()
        down = http.get("/readyz")
        assert down.status_code == 503
        assert down.json()["down"] == ["vault"]
        assert "vault" in down.json()["error"]

        temporal.stop()
        both = http.get("/readyz")
        assert both.status_code == 503
        assert both.json()["down"] == ["temporal", "vault"]
        # The API keeps serving what does not need the missing parts.
        assert http.get("/healthz").status_code == 200
        assert http.get("/api/v1/processes").status_code == 200
        listed = http.get("/api/v1/runs")
        assert listed.status_code == 503 and "temporal" in listed.json()["error"]


def test_api_starts_while_temporal_is_down(tmp_path: Path) -> None:
    settings = Settings(
        state_dir=tmp_path,
        temporal=TemporalSettings(address=f"127.0.0.1:{free_port()}"),
        vault=VaultSettings(address=f"http://127.0.0.1:{free_port()}", token="x"),
        database=DatabaseSettings(url=f"sqlite:///{tmp_path / 'a.db'}"),
    )
    with serve(create_app(settings)) as url:
        answer = httpx.get(f"{url}/readyz", timeout=15)
    assert answer.status_code == 503
    assert set(answer.json()["down"]) == {"temporal", "vault"}
    # Its worker waits for Temporal in the background; the API answers meanwhile.
    assert answer.json()["components"]["eager_worker"] == "starting"
