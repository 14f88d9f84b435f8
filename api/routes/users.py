"""User accounts, managed by administrators.

No caller may grant more than it holds: creating or changing an account whose role (old or new)
may do what the caller may not answers 403 naming the role, so an API key scoped to
``users:manage`` cannot mint an administrator, nor reset one's password. A change of password,
role or the disabled flag revokes the account's login tokens (``User.revoke_tokens``), and so
does resetting its second factor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Response, status
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from api.auth.passwords import hash_password
from api.auth.totp import SecondFactors
from api.deps import CredentialsDep, EngineDep, SessionDep
from api.security import Principal, require
from atrium.bounds import Limit, Line, Offset
from atrium.models import User
from atrium.models.integration import utcnow
from atrium.models.user import USERNAME, UserCreate, UserPublic, UserUpdate

# One dependency object for the router and the routes that need the caller: FastAPI runs it once.
_manage = require("users:manage")
router = APIRouter(prefix="/users", tags=["users"], dependencies=[_manage])

Username = Annotated[str, Path(min_length=2, max_length=63, pattern=USERNAME)]


class UserPage(BaseModel):
    items: list[UserPublic]
    total: int


def _get(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise HTTPException(404, f"user {username!r} not found")
    return user


def _within_own_rights(principal: Principal, role: str) -> None:
    if missing := principal.beyond_own(role):
        raise HTTPException(403, f"role: {role!r} may do what you may not ({', '.join(missing)})")


def _other_active_admins(session: Session, username: str) -> int:
    query = (
        select(func.count())
        .select_from(User)
        .where(
            User.role == "administrator", col(User.disabled).is_(False), User.username != username
        )
    )
    return session.exec(query).one()


@router.get("", response_model=UserPage)
async def list_users(
    session: SessionDep,
    role: Annotated[Line | None, Query(max_length=32)] = None,
    offset: Offset = 0,
    limit: Limit = 100,
) -> UserPage:
    query, count = select(User), select(func.count()).select_from(User)
    if role:
        query, count = query.where(User.role == role), count.where(User.role == role)
    rows = session.exec(query.order_by(col(User.username)).offset(offset).limit(limit)).all()
    return UserPage(
        items=[UserPublic.model_validate(r, from_attributes=True) for r in rows],
        total=session.exec(count).one(),
    )


@router.post("", response_model=UserPublic, status_code=status.HTTP_201_CREATED)
async def create_user(
    body: UserCreate, session: SessionDep, principal: Principal = _manage
) -> UserPublic:
    _within_own_rights(principal, body.role)
    user = User.model_validate(
        body.model_dump(exclude={"password"}) | {"password_hash": hash_password(body.password)}
    )
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise HTTPException(409, f"username: {body.username!r} already exists") from None
    session.refresh(user)
    return UserPublic.model_validate(user, from_attributes=True)


@router.get("/{username}", response_model=UserPublic)
async def get_user(username: Username, session: SessionDep) -> UserPublic:
    return UserPublic.model_validate(_get(session, username), from_attributes=True)


@router.patch("/{username}", response_model=UserPublic)
async def update_user(
    username: Username, body: UserUpdate, session: SessionDep, principal: Principal = _manage
) -> UserPublic:
    user = _get(session, username)
    changes = body.model_dump(exclude_unset=True)
    for key in ("role", "full_name", "class_ids", "disabled", "password"):
        if key in changes and changes[key] is None:  # null means "unchanged" for required fields
            del changes[key]
    _within_own_rights(principal, user.role)  # no taking over an account above one's own
    if "role" in changes:
        _within_own_rights(principal, changes["role"])
    if (
        any(key in changes and changes[key] != getattr(user, key) for key in ("role", "disabled"))
        or "password" in changes
    ):
        user.revoke_tokens()
    losing_admin = user.role == "administrator" and (
        changes.get("role", "administrator") != "administrator" or changes.get("disabled")
    )
    if losing_admin and not _other_active_admins(session, username):
        raise HTTPException(
            409, "role: the last active administrator cannot be demoted or disabled"
        )
    if (password := changes.pop("password", None)) is not None:
        user.password_hash = hash_password(password)
    for key, value in changes.items():
        setattr(user, key, value if key != "class_ids" else list(value or []))
    user.updated_at = utcnow()
    session.add(user)
    session.commit()
    session.refresh(user)
    return UserPublic.model_validate(user, from_attributes=True)


@router.delete("/{username}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_user(
    username: Username, session: SessionDep, principal: Principal = _manage
) -> Response:
    user = _get(session, username)
    _within_own_rights(principal, user.role)
    if user.role == "administrator" and not _other_active_admins(session, username):
        raise HTTPException(409, "username: the last active administrator cannot be deleted")
    session.delete(user)
    session.commit()
    return Response(status_code=204)


@router.delete("/{username}/second-factor", status_code=status.HTTP_204_NO_CONTENT)
async def reset_second_factor(
    username: Username,
    session: SessionDep,
    credentials: CredentialsDep,
    engine: EngineDep,
    principal: Principal = _manage,
) -> Response:
    """For a lost phone: the account logs in with its password alone again (or, if its role
    requires a factor, may only enrol a new one). Its sessions end; the call is audited."""
    user = _get(session, username)
    _within_own_rights(principal, user.role)
    await SecondFactors(credentials, engine).remove(username)
    user.second_factor_at, user.second_factor_step = None, None
    user.revoke_tokens()
    user.updated_at = utcnow()
    session.add(user)
    session.commit()
    return Response(status_code=204)
