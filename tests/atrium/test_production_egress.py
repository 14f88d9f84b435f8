"""Production calls a school's systems over https: turning EGRESS__REQUIRE_HTTPS off, or
allowing every address at once, is refused at start-up with one line naming the setting; plain
http stays possible only to the hosts listed one by one (EGRESS__ALLOWED_HOSTS)."""

from __future__ import annotations

import os

import pytest

from atrium.egress import EgressPolicy, EgressRefused
from atrium.settings import SettingsError, load_settings


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for key in [k for k in os.environ if k.startswith("ATRIUM_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("ATRIUM_ENV", "production")
    return monkeypatch


def test_production_refuses_plain_http_to_every_host(production: pytest.MonkeyPatch) -> None:
    production.setenv("ATRIUM_EGRESS__REQUIRE_HTTPS", "false")
    with pytest.raises(SettingsError) as refused:
        load_settings()
    line = str(refused.value)
    assert "\n" not in line
    assert line.startswith("invalid setting ATRIUM_EGRESS__REQUIRE_HTTPS: production refuses")
    assert "ATRIUM_EGRESS__ALLOWED_HOSTS" in line  # what to do instead


@pytest.mark.parametrize("everything", ["0.0.0.0/0", "::/0"])
def test_production_refuses_allowing_every_address(
    production: pytest.MonkeyPatch, everything: str
) -> None:
    production.setenv("ATRIUM_EGRESS__ALLOWED_HOSTS", f'["sis.school.lan", "{everything}"]')
    with pytest.raises(
        SettingsError, match=f"ATRIUM_EGRESS__ALLOWED_HOSTS: production refuses {everything}"
    ):
        load_settings()


async def test_production_allows_plain_http_only_to_listed_hosts(
    production: pytest.MonkeyPatch,
) -> None:
    production.setenv("ATRIUM_EGRESS__ALLOWED_HOSTS", '["sis.school.lan:8080"]')
    policy = EgressPolicy.from_egress(load_settings().egress)
    assert policy.check_url("http://sis.school.lan:8080/ims/oneroster") == ("sis.school.lan", 8080)
    for refused in ("http://lms.school.example/api", "http://sis.school.lan:9090/"):
        with pytest.raises(EgressRefused, match="must be https"):
            policy.check_url(refused)
    assert policy.check_url("https://lms.school.example/api") == ("lms.school.example", 443)


def test_local_may_turn_https_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's machine (the sandbox over plain http) is not production."""
    monkeypatch.setenv("ATRIUM_ENV", "local")
    monkeypatch.setenv("ATRIUM_EGRESS__REQUIRE_HTTPS", "false")
    assert load_settings().egress.require_https is False
