"""What a target system needs of a canonical record, as reasons rather than exceptions.

The canonical model accepts every record OneRoster allows; a record one system cannot use (no
username for a login, "n/a" where an LMS needs an address, an extension role it has no match for)
is not an error of the source but of the fit. Writers ask here first and quarantine the record
with the reason, so it waits for the school to fix it instead of failing a page.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

from connectors.canonical.models import Enrollment, Person, Record


@lru_cache(maxsize=4096)
def is_address(value: str) -> bool:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def account_problems(person: Person, *, system: str, email_required: bool) -> list[str]:
    """Why ``system`` cannot create an account for ``person`` (empty when it can)."""
    problems = []
    if not (person.username or "").strip():
        problems.append(f"username is missing: {system} needs it as the login")
    if person.email and not is_address(person.email):
        problems.append(f"email {person.email[:100]!r} is not an address")
    elif email_required and not person.email:
        problems.append(f"email is missing: {system} needs an address for every account")
    return problems


def role_problem(record: Enrollment | Person, *, system: str, roles: Collection[str]) -> str | None:
    if record.role in roles:
        return None
    return f"role {str(record.role)[:100]!r} has no {system} equivalent (known: {sorted(roles)})"


def target_problems(
    record: Record, *, system: str, email_required: bool, roles: Collection[str]
) -> list[str]:
    """Everything ``system`` cannot use in ``record``; records of other kinds always fit."""
    if isinstance(record, Person):
        return account_problems(record, system=system, email_required=email_required)
    if isinstance(record, Enrollment):
        problem = role_problem(record, system=system, roles=roles)
        return [problem] if problem else []
    return []
