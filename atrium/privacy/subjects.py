"""How Atrium's privacy tables name a person without holding their identifier: a sha256 of their
SIS sourcedId. The request that names them (the workflow input, sealed by the payload codec)
is the only place the id itself travels."""

from __future__ import annotations

import hashlib

from pydantic import BaseModel, Field

ID = r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,254}$"


def subject_of(sourced_id: str) -> str:
    return hashlib.sha256(f"atrium-subject:{sourced_id}".encode()).hexdigest()


def number_subject(student_id: str) -> str:
    """The person by their school person number (Koha cardnumber, the bursar's student id): the
    processes that know a person only by it (library provisioning, onboarding) look this up."""
    return hashlib.sha256(f"atrium-person-number:{student_id}".encode()).hexdigest()


class Person(BaseModel):
    """One person as each system knows them: the SIS sourcedId (Canvas ``sis_user_id``, Moodle
    ``idnumber``) and the school's person number (Koha cardnumber, the bursar's student id)."""

    sourced_id: str = Field(pattern=ID, max_length=255)
    student_id: str | None = Field(None, pattern=ID, max_length=255)
    emails: list[str] = Field(default_factory=list, max_length=10)

    @property
    def subject(self) -> str:
        return subject_of(self.sourced_id)

    @property
    def subjects(self) -> list[str]:
        """Every key a tombstone of this person is found by."""
        return [self.subject, *([number_subject(self.student_id)] if self.student_id else [])]
