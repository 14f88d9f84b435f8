"""Who is calling: a console user (an Atrium or OIDC JWT) or a machine client (API key)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.auth.rbac import SELF_SCOPED, Role, allowed, permissions_of


class Principal(BaseModel):
    subject: str  # username, "api-key:<id>" or "oidc:<sub>"
    kind: str = "user"  # user | api_key | oidc (api/auth/oidc.py)
    role: str = "administrator"  # for an API key: its owner's role
    person_id: str | None = None  # the SIS person a student is
    class_ids: list[str] = Field(default_factory=list)  # classes a professor teaches
    scopes: list[str] | None = None  # an API key's permissions; None for users
    owner: str | None = None  # for an API key: the user who created it
    # A login whose role needs a second factor it has not enrolled: only "profile:read" (its own
    # account, and the enrolment) until it has one (ATRIUM_API__REQUIRE_SECOND_FACTOR_FOR).
    must_enrol: bool = False

    def can(self, permission: str) -> bool:
        if self.scopes is not None and permission not in self.scopes:
            return False
        return allowed(self.role, permission)

    def permissions(self) -> frozenset[str]:
        """What this caller may do: its role's permissions, narrowed to an API key's scopes."""
        return frozenset(p for p in permissions_of(self.role) if self.can(p))

    def beyond_own(self, role: str) -> list[str]:
        """What an account of ``role`` could do that this caller cannot: granting that role (or
        taking over such an account) would raise the caller's own rights. Empty when it may."""
        missing = sorted(permissions_of(role) - self.permissions())
        if self.self_scoped and role not in {r.value for r in SELF_SCOPED}:
            missing.append("runs:read of every subject")
        return missing

    @property
    def self_scoped(self) -> bool:
        """Students and professors see only runs and records about themselves or their classes."""
        return self.role in {r.value for r in SELF_SCOPED}

    def subjects(self) -> list[str]:
        """The ``AtriumSubject`` values this caller may see (only meaningful when self_scoped)."""
        if self.role == Role.student:
            return [self.person_id] if self.person_id else []
        if self.role == Role.professor:
            return list(self.class_ids)
        return []

    def may_see(self, subject: str | None) -> bool:
        return not self.self_scoped or (subject is not None and subject in self.subjects())
