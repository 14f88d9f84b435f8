"""Which OneRoster 1.2 collections exist, where they live and what they hold.

A collection name is its path under its service (``students``, ``classes/{id}/students`` is
reached with ``parent=("classes", id)``). The wrapper is the JSON member holding the records
(``/students`` answers ``{"users": [...]}``), as the REST binding defines.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.oneroster import models

ROSTERING = "/ims/oneroster/rostering/v1p2"
GRADEBOOK = "/ims/oneroster/gradebook/v1p2"


@dataclass(frozen=True)
class Endpoint:
    service: str
    wrapper: str  # collection member: {"users": [...]}
    singular: str  # single member: {"user": {...}}
    model: type[models.Base]


def _roster(wrapper: str, singular: str, model: type[models.Base]) -> Endpoint:
    return Endpoint(ROSTERING, wrapper, singular, model)


ENDPOINTS: dict[str, Endpoint] = {
    "orgs": _roster("orgs", "org", models.Org),
    "schools": _roster("orgs", "org", models.Org),
    "academicSessions": _roster("academicSessions", "academicSession", models.AcademicSession),
    "terms": _roster("academicSessions", "academicSession", models.AcademicSession),
    "gradingPeriods": _roster("academicSessions", "academicSession", models.AcademicSession),
    "courses": _roster("courses", "course", models.Course),
    "classes": _roster("classes", "class", models.Class),
    "users": _roster("users", "user", models.User),
    "students": _roster("users", "user", models.User),
    "teachers": _roster("users", "user", models.User),
    "enrollments": _roster("enrollments", "enrollment", models.Enrollment),
    "demographics": _roster("demographics", "demographics", models.Demographics),
    "lineItems": Endpoint(GRADEBOOK, "lineItems", "lineItem", models.LineItem),
    "results": Endpoint(GRADEBOOK, "results", "result", models.Result),
    "categories": Endpoint(GRADEBOOK, "categories", "category", models.Category),
    "scoreScales": Endpoint(GRADEBOOK, "scoreScales", "scoreScale", models.ScoreScale),
}


def endpoint(name: str) -> Endpoint:
    try:
        return ENDPOINTS[name]
    except KeyError:
        raise ValueError(
            f"unknown OneRoster collection {name!r}; known: {sorted(ENDPOINTS)}"
        ) from None


def collection_path(name: str, parent: tuple[str, str] | None = None) -> str:
    """``("students", ("classes", "c1"))`` -> ``/ims/.../classes/c1/students``."""
    ep = endpoint(name)
    if parent is None:
        return f"{ep.service}/{name}"
    parent_name, parent_id = parent
    endpoint(parent_name)
    return f"{ep.service}/{parent_name}/{parent_id}/{name}"
