"""The external functions the emulated site's web service offers, by name."""

from __future__ import annotations

from sandbox.moodle.functions import (
    course_delete,
    courses,
    enrol,
    grade_services,
    grades,
    site,
    user_courses,
    user_delete,
    users,
)
from sandbox.moodle.functions.base import ExternalFunction, Site

REGISTRY: dict[str, ExternalFunction] = {
    f.name: f
    for module in (
        users,
        user_delete,
        user_courses,
        courses,
        course_delete,
        enrol,
        grades,
        grade_services,
        site,
    )
    for f in module.FUNCTIONS
}

__all__ = ["REGISTRY", "ExternalFunction", "Site"]
