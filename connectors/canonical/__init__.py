"""The canonical education model every connector maps to and from.

It follows OneRoster 1.2's concepts (the de-facto standard) with plain snake_case names, so the
OneRoster mapping is nearly one-to-one and the LMS mappings translate from it.
"""

from connectors.canonical.models import (
    AcademicSession,
    Class,
    Course,
    Enrollment,
    LineItem,
    Org,
    Person,
    Result,
    Role,
    Status,
)

__all__ = [
    "AcademicSession",
    "Class",
    "Course",
    "Enrollment",
    "LineItem",
    "Org",
    "Person",
    "Result",
    "Role",
    "Status",
]
