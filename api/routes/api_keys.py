"""API keys for machine clients: created (shown once), listed, revoked."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Response, status
from pydantic import BaseModel
from sqlmodel import Session, col, func, select

from api.auth import api_keys
from api.auth.rbac import PERMISSIONS
from api.deps import SessionDep
from api.security import Principal, require
from atrium.bounds import Limit, Offset, RowId
from atrium.models import ApiKey
from atrium.models.api_key import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic

router = APIRouter(prefix="/api-keys", tags=["api keys"])

KeyId = Annotated[RowId, Path()]


class ApiKeyPage(BaseModel):
    items: list[ApiKeyPublic]
    total: int


def _check_scopes(body: ApiKeyCreate, principal: Principal) -> None:
    unknown = [s for s in body.scopes if s not in PERMISSIONS]
    if unknown:
        raise HTTPException(422, f"scopes: unknown permission(s) {', '.join(unknown)}")
    beyond = [s for s in body.scopes if not principal.can(s)]
    if beyond:  # a key never carries more than its creator holds (its owner's role, its scopes)
        raise HTTPException(403, f"scopes: beyond your own permissions: {', '.join(beyond)}")
    # BoundedDatetime: already in UTC and within years 1970..2100.
    if body.expires_at is not None and body.expires_at <= datetime.now(UTC):
        raise HTTPException(422, "expires_at: must be in the future")


def _get(session: Session, key_id: int) -> ApiKey:
    row = session.get(ApiKey, key_id)
    if row is None:
        raise HTTPException(404, f"API key {key_id} not found")
    return row


@router.post("", response_model=ApiKeyCreated, status_code=status.HTTP_201_CREATED)
async def create_api_key(
    body: ApiKeyCreate, session: SessionDep, principal: Principal = require("api_keys:manage")
) -> ApiKeyCreated:
    """Create a key. The answer holds the key itself: it is shown this once, only a hash is kept."""
    if principal.kind == "oidc":  # a key's rights are re-read from its owner's account each call
        raise HTTPException(403, "api keys: an OIDC login has no local account to own a key")
    _check_scopes(body, principal)
    key, prefix, digest = api_keys.generate()
    owner = principal.owner or principal.subject  # a key made with a key belongs to its owner
    row = ApiKey(
        name=body.name, scopes=sorted(set(body.scopes)), expires_at=body.expires_at,
        prefix=prefix, key_hash=digest, owner=owner,
    )  # fmt: skip
    session.add(row)
    session.commit()
    session.refresh(row)
    return ApiKeyCreated.model_validate(row.model_dump() | {"key": key})


@router.get("", response_model=ApiKeyPage, dependencies=[require("api_keys:manage")])
async def list_api_keys(
    session: SessionDep,
    include_revoked: bool = False,
    offset: Offset = 0,
    limit: Limit = 100,
) -> ApiKeyPage:
    query, count = select(ApiKey), select(func.count()).select_from(ApiKey)
    if not include_revoked:
        query = query.where(col(ApiKey.revoked_at).is_(None))
        count = count.where(col(ApiKey.revoked_at).is_(None))
    rows = session.exec(query.order_by(col(ApiKey.id)).offset(offset).limit(limit)).all()
    return ApiKeyPage(
        items=[ApiKeyPublic.model_validate(r.model_dump()) for r in rows],
        total=session.exec(count).one(),
    )


@router.get("/{key_id}", response_model=ApiKeyPublic, dependencies=[require("api_keys:manage")])
async def get_api_key(key_id: KeyId, session: SessionDep) -> ApiKeyPublic:
    return ApiKeyPublic.model_validate(_get(session, key_id).model_dump())


@router.delete(
    "/{key_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=[require("api_keys:manage")]
)
async def revoke_api_key(key_id: KeyId, session: SessionDep) -> Response:
    """Revoke a key: it stops working at once; the row stays for the audit trail."""
    row = _get(session, key_id)
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        session.add(row)
        session.commit()
    return Response(status_code=204)


@router.post(
    "/{key_id}/resume", response_model=ApiKeyPublic, dependencies=[require("api_keys:manage")]
)
async def resume_api_key(key_id: KeyId, session: SessionDep) -> ApiKeyPublic:
    """Resume a key a security event suspended (atrium/security_signals/): it works again, and
    the network it was suspended for is now one of its own. A revoked key stays revoked."""
    row = _get(session, key_id)
    if row.revoked_at is not None:
        raise HTTPException(409, f"API key {key_id} is revoked: create a new one")
    if row.suspended_at is None:
        raise HTTPException(409, f"API key {key_id} is not suspended")
    row.suspended_at, row.suspended_by_event = None, None
    session.add(row)
    session.commit()
    return ApiKeyPublic.model_validate(row.model_dump())
