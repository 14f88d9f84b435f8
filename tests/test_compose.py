"""temporal-compose.yml is the production shape; no Docker engine runs here: check it by reading."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from atrium.settings import Settings

COMPOSE = Path(__file__).parent.parent / "temporal-compose.yml"
VAR = re.compile(r"\$\{(\w+)(?::\?[^}]*)?\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    text = VAR.sub(lambda m: f"placeholder-{m.group(1).lower()}", COMPOSE.read_text())
    return yaml.safe_load(text)


def published(service: dict[str, Any]) -> dict[int, int]:
    ports = {}
    for entry in service.get("ports", []):
        host, _, container = str(entry).partition(":")
        ports[int(container)] = int(host)
    return ports


def settings_for(service: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Settings:
    for key in [k for k in os.environ if k.startswith("ATRIUM_")]:
        monkeypatch.delenv(key)
    for key, value in service["environment"].items():
        monkeypatch.setenv(key, str(value))
    return Settings()


def test_production_shape_has_every_part(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in ("postgresql", "temporal", "temporal-ui", "vault", "atrium-api", "prometheus"):
        assert name in services, name
    workers = [n for n, s in services.items() if s.get("command") == ["atrium", "worker"]]
    assert len(workers) == 2
    assert services["temporal"]["environment"]["DB"].startswith("postgres")


def test_atrium_settings_load_and_point_at_the_services(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    services = compose["services"]
    for name in ("atrium-api", "atrium-worker-1", "atrium-worker-2"):
        settings = settings_for(services[name], monkeypatch)  # raises if any value is invalid
        temporal_host, _, temporal_port = settings.temporal.address.partition(":")
        assert temporal_host in services and int(temporal_port) in published(
            services[temporal_host]
        )
        vault_host = settings.vault.address.split("//")[1].split(":")[0]
        assert vault_host in services and settings.vault.port in published(services[vault_host])
        assert settings.vault.auth == "approle", "production reads Vault with AppRole, not a token"
        assert settings.database.url and "@postgresql:5432/" in settings.database.url
        assert settings.env == "production"


def test_ports_agree_with_prometheus_targets(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    services = compose["services"]
    api = settings_for(services["atrium-api"], monkeypatch)
    assert api.api.port in published(services["atrium-api"])
    worker = settings_for(services["atrium-worker-1"], monkeypatch)
    scrape = yaml.safe_load(compose["configs"]["prometheus"]["content"])["scrape_configs"]
    targets = {t for job in scrape for cfg in job["static_configs"] for t in cfg["targets"]}
    assert f"atrium-api:{api.api.port}" in targets
    assert f"atrium-worker-1:{worker.worker.metrics_port}" in targets
    assert f"atrium-worker-2:{worker.worker.metrics_port}" in targets
    ui = services["temporal-ui"]
    assert ui["environment"]["TEMPORAL_ADDRESS"] == api.temporal.address


def test_no_secret_is_written_in_the_file() -> None:
    text = COMPOSE.read_text()
    assert not re.search(r"(PASSWORD|SECRET_ID|TOKEN)\w*:\s*[\"']?[A-Za-z0-9]{8,}", text)
