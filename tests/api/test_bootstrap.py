"""`atrium up` creates the first administrator once, with a password only its operator sees."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from api.auth.bootstrap import PASSWORD_FILE, ensure_initial_admin
from api.auth.passwords import verify_password
from atrium.db import make_engine
from atrium.migrations import upgrade
from atrium.models import User
from atrium.settings import ApiSettings, DatabaseSettings, Settings


def test_first_admin_is_created_once_with_a_private_password(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    upgrade(url)
    engine = make_engine(url)
    settings = Settings(
        state_dir=tmp_path,
        database=DatabaseSettings(url=url),
        api=ApiSettings(initial_admin_username="head.office"),
    )
    password = ensure_initial_admin(settings, engine)
    assert password and len(password) >= 20
    stored = tmp_path / PASSWORD_FILE
    assert stored.read_text().strip() == password
    assert stored.stat().st_mode & 0o777 == 0o600
    with Session(engine) as session:
        admin = session.exec(select(User).where(User.username == "head.office")).one()
    assert admin.role == "administrator" and verify_password(admin.password_hash, password)
    assert password not in admin.password_hash
    assert ensure_initial_admin(settings, engine) is None  # an administrator exists: nothing to do
    production = settings.model_copy(update={"env": "production", "state_dir": tmp_path / "prod"})
    with Session(engine) as session:
        session.delete(admin)
        session.commit()
    assert ensure_initial_admin(production, engine)
    assert not (tmp_path / "prod" / PASSWORD_FILE).exists()  # production: printed, never written
    engine.dispose()
