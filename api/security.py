"""Who is calling and what they may do. Routes declare ``Depends(require("runs:start"))``.

CONTRACT (the gateway work fills in the real implementation): ``require(permission)`` returns a
FastAPI dependency that authenticates the caller (JWT bearer for users, ``X-API-Key`` for machine
clients), checks the permission against the one role x permission matrix, and returns the
``Principal``. Until then it lets every call through as an anonymous administrator.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends
from pydantic import BaseModel, Field


class Principal(BaseModel):
    subject: str  # username or api-key id
    kind: str = "user"  # user | api_key
    role: str = "administrator"
    person_id: str | None = None  # the SIS person a student/professor is
    class_ids: list[str] = Field(default_factory=list)  # classes a professor teaches


def _anonymous_admin() -> Principal:
    return Principal(subject="anonymous")


def require(permission: str) -> Any:
    return Depends(_anonymous_admin)
