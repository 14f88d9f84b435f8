"""`atrium admin create NAME`: a production deployment's way in (issue 17): an administrator with
a password shown once that logs in through the real API; run again, it resets the password and
the account's earlier tokens stop working."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid

import httpx
from sqlalchemy.engine import Engine

from atrium.settings import Settings
from tests.support.auth import login


def atrium(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"ATRIUM_DATABASE__URL": settings.database_url, "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "atrium.cli", *args], env=env, capture_output=True, text=True
    )


def test_admin_create_gives_a_way_in(settings: Settings, api_url: str, engine: Engine) -> None:
    name = f"ops-{uuid.uuid4().hex[:8]}"
    made = atrium(settings, "admin", "create", name)
    assert made.returncode == 0, made.stderr
    password = re.search(r"with password (\S+) \(shown once\)", made.stdout)
    assert password, made.stdout
    token = login(api_url, name, password.group(1))
    me = httpx.get(f"{api_url}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["role"] == "administrator"

    again = atrium(settings, "admin", "create", name)
    assert again.returncode == 0 and password.group(1) not in again.stdout
    stale = httpx.get(f"{api_url}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert stale.status_code == 401, "the reset revoked the earlier token"


def test_bad_use_is_one_readable_line(settings: Settings) -> None:
    wrong = atrium(settings, "admin", "delete", "someone")
    assert wrong.returncode == 2 and "the only action is create" in wrong.stderr
    bad = atrium(settings, "admin", "create", "Not A Name")
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "username" in bad.stderr
