"""A bad or missing setting stops start-up with one clear line naming the setting."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from atrium.settings import SettingsError, load_settings


def test_defaults_are_the_embedded_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in [k for k in os.environ if k.startswith("ATRIUM_")]:
        monkeypatch.delenv(key)
    settings = load_settings()
    assert settings.temporal.address == "127.0.0.1:7233"
    assert settings.temporal.ui_url == "http://127.0.0.1:8233"
    assert settings.vault.address == "http://127.0.0.1:8200"
    assert (settings.api.port, settings.sandbox.port) == (8000, 8100)
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith(
        ".atrium/atrium.db"
    )


def test_each_port_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATRIUM_API__PORT", "9001")
    monkeypatch.setenv("ATRIUM_TEMPORAL__UI_PORT", "9233")
    settings = load_settings()
    assert settings.api.port == 9001
    assert settings.temporal.ui_url == "http://127.0.0.1:9233"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ATRIUM_API__PORT", "not-a-port"),
        ("ATRIUM_TEMPORAL__ADDRESS", "no-port-here"),
        ("ATRIUM_VAULT__ADDRESS", "vault:8200"),
        ("ATRIUM_DATABASE__URL", "mysql://x"),
        ("ATRIUM_VAULT__AUTH", "approle"),
    ],
)
def test_bad_setting_is_named(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    message = str(info.value)
    assert variable.split("__")[0] in message
    assert "\n" not in message


def test_cli_prints_one_line_and_exits_2() -> None:
    env = {**os.environ, "ATRIUM_API__PORT": "eighty"}
    done = subprocess.run(
        [sys.executable, "-m", "atrium.cli", "migrate"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "ATRIUM_API__PORT" in lines[0]
    assert "Traceback" not in done.stderr


def test_an_oidc_issuer_is_set_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATRIUM_API__OIDC__ISSUER", "https://login.school.example/realms/staff")
    monkeypatch.setenv("ATRIUM_API__OIDC__AUDIENCE", "atrium")
    monkeypatch.setenv("ATRIUM_API__OIDC__ROLE_MAP", '{"teachers": "professor"}')
    oidc = load_settings().api.oidc
    assert oidc is not None
    assert oidc.role_map == {"teachers": "professor"}
    assert (oidc.algorithms, oidc.roles_claim, oidc.jwks_url) == (["RS256", "ES256"], "roles", None)


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        ("ISSUER", "http://login.school.example", "https://"),
        ("JWKS_URL", "file:///etc/keys.json", "https://"),
        ("ROLE_MAP", '{"teachers": "teacher"}', "'teacher', not an Atrium role"),
        ("ALGORITHMS", '["RS256", "HS256"]', "HS256 not accepted"),
        ("ALGORITHMS", '["none"]', "none not accepted"),
    ],
)
def test_a_bad_oidc_setting_is_named(
    monkeypatch: pytest.MonkeyPatch, field: str, value: str, why: str
) -> None:
    monkeypatch.setenv("ATRIUM_API__OIDC__ISSUER", "https://login.school.example")
    monkeypatch.setenv("ATRIUM_API__OIDC__AUDIENCE", "atrium")
    monkeypatch.setenv("ATRIUM_API__OIDC__ROLE_MAP", '{"teachers": "professor"}')
    monkeypatch.setenv(f"ATRIUM_API__OIDC__{field}", value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert f"ATRIUM_API__OIDC__{field}:" in str(info.value) and why in str(info.value)


def test_a_loopback_issuer_may_use_http() -> None:
    from atrium.settings import OidcSettings

    for issuer in ("http://127.0.0.1:9000", "http://localhost:9000/realm", "http://[::1]:9000"):
        assert OidcSettings(issuer=issuer, audience="a", role_map={"x": "auditor"}).issuer == issuer
