"""temporal-compose.yml and the Dockerfile are the production shape; no Docker engine runs here, so
these tests check everything checkable without one: settings, commands, packages, ports, scrape
targets, upstreams, and a scrape of the real API as Prometheus makes it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from pydantic import BaseModel
from sqlalchemy.engine import Engine

from api.console import DIST
from atrium.cli import COMMANDS
from atrium.settings import Settings
from tests.support.auth import make_api_key, make_user

ROOT = Path(__file__).parent.parent
COMPOSE = ROOT / "temporal-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
VAR = re.compile(r"\$\{(\w+)(?::\?[^}]*)?\}")
RUNNING = ("atrium-api-1", "atrium-api-2", "atrium-worker-1", "atrium-worker-2")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    text = VAR.sub(lambda m: f"placeholder-{m.group(1).lower()}", COMPOSE.read_text())
    return yaml.safe_load(text)


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (INSTRUCTION, arguments), continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


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


def is_setting(variable: str) -> bool:
    """Whether ATRIUM_A__B names a field of Settings (extra variables would be silently ignored)."""
    model: type[BaseModel] = Settings
    parts = variable.removeprefix("ATRIUM_").lower().split("__")
    for i, part in enumerate(parts):
        field = model.model_fields.get(part)
        if field is None:
            return False
        annotation = field.annotation
        if i < len(parts) - 1:
            if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
                return False
            model = annotation
    return True


def test_production_shape_has_every_part(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in ("postgresql", "temporal", "temporal-ui", "vault", "prometheus", "grafana"):
        assert name in services, name
    commands = [s.get("command") for s in services.values()]
    assert commands.count(["atrium", "api"]) == 2, "two API replicas"
    assert commands.count(["atrium", "worker"]) == 2, "two workers"
    assert services["temporal"]["environment"]["DB"].startswith("postgres")


def test_every_atrium_variable_is_a_real_setting(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, service in compose["services"].items():
        for variable in service.get("environment", {}):
            if variable.startswith("ATRIUM_"):
                assert is_setting(variable), f"{name}: {variable} is not a setting"
        if name.startswith("atrium-"):
            settings_for(service, monkeypatch)  # raises if any value is invalid


def test_every_command_exists(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        command = service.get("command")
        if command and command[0] == "atrium":
            assert command[1] in COMMANDS, f"{name}: atrium {command[1]} does not exist"
            assert service["build"] == "." and service["image"] == "atrium:latest", name


def test_atrium_settings_point_at_the_services(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    services = compose["services"]
    migrate = settings_for(services["atrium-migrate"], monkeypatch)
    assert migrate.database.url and "@postgresql:5432/" in migrate.database.url
    for name in RUNNING:
        settings = settings_for(services[name], monkeypatch)
        temporal_host, _, temporal_port = settings.temporal.address.partition(":")
        assert temporal_host in services
        assert int(temporal_port) in published(services[temporal_host])
        vault_host = settings.vault.address.split("//")[1].split(":")[0]
        assert vault_host in services and settings.vault.port in published(services[vault_host])
        assert settings.vault.address.startswith("https://"), "Vault is reached over TLS"
        assert settings.vault.auth == "approle", "production reads Vault with AppRole, not a token"
        assert settings.database.url and "@postgresql:5432/" in settings.database.url
        assert settings.env == "production"
        assert services[name]["environment"]["REQUESTS_CA_BUNDLE"] == "/run/secrets/vault_ca"
        assert "vault_ca" in services[name]["secrets"]
        assert services[name]["depends_on"]["atrium-migrate"] == {
            "condition": "service_completed_successfully"
        }


def test_vault_listens_with_tls(compose: dict[str, Any]) -> None:
    vault = compose["services"]["vault"]
    config = yaml.safe_load(vault["environment"]["VAULT_LOCAL_CONFIG"])
    listener = config["listener"][0]["tcp"]
    assert "tls_disable" not in listener
    for key, secret in (("tls_cert_file", "vault_tls_cert"), ("tls_key_file", "vault_tls_key")):
        assert listener[key] == f"/run/secrets/{secret}" and secret in vault["secrets"]
    assert config["api_addr"].startswith("https://")


def test_ports_agree_with_targets_and_upstreams(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    services = compose["services"]
    api = settings_for(services["atrium-api-1"], monkeypatch)
    worker = settings_for(services["atrium-worker-1"], monkeypatch)
    scrape = yaml.safe_load(compose["configs"]["prometheus"]["content"])["scrape_configs"]
    targets = {t for job in scrape for cfg in job["static_configs"] for t in cfg["targets"]}
    upstream = compose["configs"]["gateway"]["content"]
    for replica in ("atrium-api-1", "atrium-api-2"):
        assert f"{replica}:{api.api.port}" in targets
        assert f"server {replica} {replica}:{api.api.port}" in upstream
    assert f"bind :{api.api.port}" in upstream and api.api.port in published(services["gateway"])
    # Only replicas whose readiness probe answers 200 get requests (a draining one does not).
    assert "option httpchk GET /readyz" in upstream and "http-check expect status 200" in upstream
    for replica in ("atrium-worker-1", "atrium-worker-2"):
        ports = (worker.worker.metrics_port, worker.worker.atrium_metrics_port)
        check = " ".join(services[replica]["healthcheck"]["test"])
        assert "127.0.0.1:{p}/metrics" in check
        for port in ports:  # the SDK's exporter and Atrium's own, both scraped and probed
            assert f"{replica}:{port}" in targets
            assert str(port) in check
    ui = services["temporal-ui"]
    assert ui["environment"]["TEMPORAL_ADDRESS"] == api.temporal.address
    grafana = yaml.safe_load(compose["configs"]["grafana-datasources"]["content"])
    prometheus_port = next(iter(published(services["prometheus"])))
    assert grafana["datasources"][0]["url"] == f"http://prometheus:{prometheus_port}"


def test_dockerfile_installs_what_pyproject_needs(
    dockerfile: list[tuple[str, str]], compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    bases = [args.split()[0] for op, args in dockerfile if op == "FROM"]
    python_base = next(b for b in bases if b.startswith("python:"))
    minimum = project["project"]["requires-python"].removeprefix(">=")
    assert tuple(map(int, python_base.split(":")[1].split("-")[0].split("."))) >= tuple(
        map(int, minimum.split("."))
    )
    copied = {args.split()[0].rstrip("/") for op, args in dockerfile if op == "COPY"}
    packages = project["tool"]["setuptools"]["packages"]["find"]["include"]
    for package in [p.rstrip("*") for p in packages] + [
        f"{m}.py" for m in project["tool"]["setuptools"]["py-modules"]
    ]:
        assert package in copied, f"the image lacks {package}"
    runs = " ".join(args for op, args in dockerfile if op == "RUN")
    assert "pip install -e ." in runs, "the project (and so every dependency) is installed"
    assert "npm ci" in runs and "npm run build" in runs, "the console is built from the lock file"
    # The console lands where the API serves it from: <source root>/ui/dist.
    assert any(
        op == "COPY" and args.endswith(f"/app/{DIST.relative_to(ROOT)}") for op, args in dockerfile
    )
    users = [args for op, args in dockerfile if op == "USER"]
    assert users and not users[-1].startswith(("root", "0")), "runs as an unprivileged user"
    api = settings_for(compose["services"]["atrium-api-1"], monkeypatch)
    worker = settings_for(compose["services"]["atrium-worker-1"], monkeypatch)
    exposed = {int(p) for op, args in dockerfile if op == "EXPOSE" for p in args.split()}
    assert {api.api.port, worker.worker.metrics_port, worker.worker.atrium_metrics_port} <= exposed
    health = next(args for op, args in dockerfile if op == "HEALTHCHECK")
    assert f"127.0.0.1:{api.api.port}/healthz" in health


def test_no_secret_is_written_in_the_file() -> None:
    text = COMPOSE.read_text()
    assert not re.search(r"(PASSWORD|SECRET_ID|TOKEN|KEY)\w*:\s*[\"']?[A-Za-z0-9]{8,}", text)


def test_prometheus_scrapes_the_api_as_configured(
    compose: dict[str, Any], api_url: str, engine: Engine
) -> None:
    """The scrape job's path and authorization, against the real API with a metrics:read key."""
    job = next(
        j
        for j in yaml.safe_load(compose["configs"]["prometheus"]["content"])["scrape_configs"]
        if j["job_name"] == "atrium-api"
    )
    secret = Path(job["authorization"]["credentials_file"]).name
    assert secret in compose["services"]["prometheus"]["secrets"]
    key_id, key = make_api_key(engine, make_user(engine, "administrator"), ["metrics:read"])
    url = f"{api_url}{job['metrics_path']}"
    assert httpx.get(url, timeout=10).status_code == 401, "metrics need a credential"
    answer = httpx.get(
        url, headers={"Authorization": f"{job['authorization']['type']} {key}"}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    assert "atrium_api_requests_total" in answer.text


def test_the_gateway_config_is_valid_haproxy(compose: dict[str, Any], tmp_path: Path) -> None:
    """Checked by Debian's haproxy (the compose file's image runs the same major version)."""
    config = tmp_path / "haproxy.cfg"
    config.write_text(compose["configs"]["gateway"]["content"])
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    checked = subprocess.run([haproxy, "-c", "-f", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Configuration file is valid" in checked.stdout + checked.stderr
    assert compose["services"]["gateway"]["image"].startswith("haproxy:2.6")


def test_every_secret_file_a_service_names_is_one_it_mounts(compose: dict[str, Any]) -> None:
    """A setting pointing into /run/secrets names a secret that service is given."""
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if isinstance(value, str) and value.startswith("/run/secrets/"):
                secret = value.removeprefix("/run/secrets/")
                assert secret in service.get("secrets", []), (name, key)
                assert secret in compose["secrets"], (name, key)
    api = compose["services"]["atrium-api-1"]["environment"]
    assert api["ATRIUM_API__INITIAL_ADMIN_PASSWORD_FILE"] == "/run/secrets/atrium_admin_password"
