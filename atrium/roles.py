"""Atrium's roles: the one list. The API's permission matrix (api/auth/rbac.py) says what each
may do; settings (an OIDC issuer's role map) and the store name them too, so they live here, below
both."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    administrator = "administrator"
    process_designer = "process_designer"
    secretary = "secretary"
    leader = "leader"
    professor = "professor"
    student = "student"
    auditor = "auditor"
