"""`atrium admin create NAME`: a production deployment's way in (issue 17): an administrator with
a password shown once that logs in through the real API; run again, it resets the password and
the account's earlier tokens stop working."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.auth.bootstrap import initial_admin_from_file
from api.auth.passwords import verify_password
from atrium.db import make_engine
from atrium.migrations import upgrade
from atrium.models import User
from atrium.settings import DatabaseSettings, Settings
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


def _fresh_settings(settings: Settings, tmp_path: Path, password: str | None) -> Settings:
    url = f"sqlite:///{tmp_path / 'atrium.db'}"
    upgrade(url)
    secret = tmp_path / "admin-password"
    if password is not None:
        secret.write_text(password + "\n")
    api = settings.api.model_copy(update={"initial_admin_password_file": secret})
    return settings.model_copy(update={"database": DatabaseSettings(url=url), "api": api})


def test_a_container_gets_its_first_administrator_from_a_secret_file(
    settings: Settings, tmp_path: Path
) -> None:
    own = _fresh_settings(settings, tmp_path, "correct horse battery staple")
    engine = make_engine(own.database_url)
    try:
        # Two replicas starting together: one administrator, with the file's password.
        made = [initial_admin_from_file(own, engine) for _ in range(2)]
        assert made == [True, False]
        with Session(engine) as session:
            admins = session.exec(select(User).where(User.role == "administrator")).all()
        assert [a.username for a in admins] == [own.api.initial_admin_username]
        assert verify_password(admins[0].password_hash, "correct horse battery staple")
    finally:
        engine.dispose()


def test_a_short_or_missing_password_file_is_one_readable_line(
    settings: Settings, tmp_path: Path
) -> None:
    short = _fresh_settings(settings, tmp_path, "short")
    ran = atrium_with(short, "api")
    assert ran.returncode == 2
    assert ran.stderr.strip().splitlines() == [
        f"atrium api: ATRIUM_API__INITIAL_ADMIN_PASSWORD_FILE: the password in "
        f"{short.api.initial_admin_password_file} is shorter than 12 characters"
    ]
    missing = short.model_copy(
        update={"api": short.api.model_copy(update={"initial_admin_password_file": tmp_path / "x"})}
    )
    ran = atrium_with(missing, "api")
    assert ran.returncode == 2 and "cannot read" in ran.stderr and "Traceback" not in ran.stderr


def atrium_with(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "ATRIUM_DATABASE__URL": settings.database_url,
        "ATRIUM_API__INITIAL_ADMIN_PASSWORD_FILE": str(settings.api.initial_admin_password_file),
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(
        [sys.executable, "-m", "atrium.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
