"""Users, API keys and tokens for tests, written straight to the database the API reads."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import select

from api.auth import api_keys
from api.auth.passwords import hash_password
from atrium.db import session_scope
from atrium.models import ApiKey, User

PASSWORD = "correct-horse-battery-staple"
_HASH = hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose


def make_user(
    engine: Engine,
    role: str,
    *,
    person_id: str | None = None,
    class_ids: Sequence[str] = (),
    disabled: bool = False,
) -> str:
    """A new user (password ``PASSWORD``); returns the username."""
    username = f"{role.replace('_', '-')}-{uuid.uuid4().hex[:8]}"
    with session_scope(engine) as session:
        session.add(
            User(
                username=username, role=role, person_id=person_id, class_ids=list(class_ids),
                disabled=disabled, password_hash=_HASH,
            )
        )  # fmt: skip
        session.commit()
    return username


def generation_of(engine: Engine, username: str) -> int:
    """The user's current token generation (the ``gen`` claim a valid login token carries)."""
    with session_scope(engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        return user.token_generation


def make_api_key(
    engine: Engine, owner: str, scopes: Sequence[str], expires_at: datetime | None = None
) -> tuple[int, str]:
    """A new API key for ``owner``; returns (id, key)."""
    key, prefix, digest = api_keys.generate()
    row = ApiKey(
        name="test", scopes=list(scopes), expires_at=expires_at, prefix=prefix,
        key_hash=digest, owner=owner,
    )  # fmt: skip
    with session_scope(engine) as session:
        session.add(row)
        session.commit()
        session.refresh(row)
        assert row.id is not None
        return row.id, key


def login(base_url: str, username: str, password: str = PASSWORD) -> str:
    answer = httpx.post(
        f"{base_url}/api/v1/auth/token",
        data={"username": username, "password": password},
        timeout=15,
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
