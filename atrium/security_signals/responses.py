"""The responses the new signals apply, inside the event's own transaction: the caller's account
locked (disabled, its tokens revoked) or its API key suspended until someone resumes it. Each
says what it did in the event's ``response_detail``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from sqlmodel import Session, select

from atrium.models import ApiKey, SecurityEvent, User

KEY_SUBJECT = "api-key:"  # how an API key caller is named (api/auth/authenticate.py)


class Actor(Protocol):
    """Who did what the signal noticed: the API's Principal fits."""

    @property
    def subject(self) -> str: ...  # a username, "api-key:<id>" or "oidc:<sub>"
    @property
    def kind(self) -> str: ...  # user | api_key | oidc
    @property
    def owner(self) -> str | None: ...  # an API key's owner


def key_id_of(subject: str) -> int | None:
    rest = subject.removeprefix(KEY_SUBJECT)
    return int(rest) if subject.startswith(KEY_SUBJECT) and rest.isdigit() else None


def lock_account(session: Session, username: str | None) -> str:
    user = session.exec(select(User).where(User.username == username)).first() if username else None
    if user is None:
        return "no local account to lock (an OIDC login: disable it at its issuer)"
    user.disabled = True
    user.token_generation += 1  # its tokens stop working too
    session.add(user)
    return f"account disabled: {user.username}"


def suspend_key(session: Session, key_id: int | None, event_id: int) -> str:
    key = session.get(ApiKey, key_id) if key_id is not None else None
    if key is None:
        return "no API key was used: nothing to suspend"
    if key.suspended_at is None:
        key.suspended_at, key.suspended_by_event = datetime.now(UTC), event_id
        session.add(key)
    return f"API key {key.id} ({key.prefix}) suspended until resumed"


def respond(session: Session, event: SecurityEvent, actor: Actor | None) -> None:
    """Apply ``event.response`` to ``actor`` (the key's owner for lock_account)."""
    if event.response == "none" or actor is None:
        return
    if event.response == "lock_account":
        username = actor.owner if actor.kind == "api_key" else actor.subject
        detail = lock_account(session, username if actor.kind != "oidc" else None)
    else:
        detail = suspend_key(session, key_id_of(actor.subject), int(event.id or 0))
    event.response_detail = detail[:500]
