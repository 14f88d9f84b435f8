"""The first administrator, created by ``atrium up`` when no administrator exists yet."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from api.auth.passwords import hash_password
from atrium.models import User
from atrium.models.user import USERNAME
from atrium.settings import Settings

PASSWORD_FILE = "initial-admin-password"  # noqa: S105  # nosec B105  # a file name


MIN_PASSWORD = 12


class BootstrapError(ValueError):
    """The first administrator cannot be created as configured (one line for the operator)."""


def initial_admin_from_file(settings: Settings, engine: Engine) -> bool:
    """``atrium api`` in a container: the first administrator, with the password in
    ``api.initial_admin_password_file``, when none exists yet. True when it created one. Replicas
    starting together create one: the loser of the race finds the winner's account."""
    path = settings.api.initial_admin_password_file
    if path is None:
        return False
    try:
        password = path.read_text().strip()
    except OSError as exc:
        raise BootstrapError(
            f"ATRIUM_API__INITIAL_ADMIN_PASSWORD_FILE: cannot read {path}: {exc.strerror}"
        ) from None
    if len(password) < MIN_PASSWORD:
        raise BootstrapError(
            f"ATRIUM_API__INITIAL_ADMIN_PASSWORD_FILE: the password in {path} is shorter than "
            f"{MIN_PASSWORD} characters"
        )
    try:
        return (
            ensure_initial_admin(settings, engine, keep_file=False, password=password) is not None
        )
    except IntegrityError:  # another replica created it at the same instant
        return False


def ensure_initial_admin(
    settings: Settings, engine: Engine, keep_file: bool | None = None, password: str | None = None
) -> str | None:
    """Create ``settings.api.initial_admin_username`` with a random password if the database has
    no administrator; returns that password (to show once) or None when one already exists.

    Locally the password is also kept in ``<state_dir>/initial-admin-password`` (mode 0600);
    in production it is only returned, never written anywhere, unless ``keep_file`` says to
    (``atrium up`` when it has no terminal to show it on).
    """
    with Session(engine) as session:
        if session.exec(select(User).where(User.role == "administrator")).first():
            return None
        password = password or secrets.token_urlsafe(18)
        username = settings.api.initial_admin_username
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None:
            user = User(username=username, role="administrator", password_hash="")  # nosec B106  # set below
        user.role, user.disabled = "administrator", False
        user.password_hash = hash_password(password)
        session.add(user)
        session.commit()
    if keep_file if keep_file is not None else settings.env == "local":
        _write_private(settings.state_dir / PASSWORD_FILE, password + "\n")
    return password


def create_administrator(engine: Engine, username: str) -> str:
    """``username`` as an enabled administrator with a new random password, which it returns
    (`atrium admin create`); an existing account keeps its name, its earlier tokens are revoked."""
    if not re.fullmatch(USERNAME, username):
        raise ValueError(f"username: must match {USERNAME}")
    password = secrets.token_urlsafe(18)
    with Session(engine) as session:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None:
            user = User(username=username, role="administrator", password_hash="")  # nosec B106  # set below
        else:
            user.revoke_tokens()
        user.role, user.disabled = "administrator", False
        user.password_hash = hash_password(password)
        session.add(user)
        session.commit()
    return password


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    path.chmod(0o600)  # also when the file existed with looser rights
