"""Rostering service routes (``/ims/oneroster/rostering/v1p2``), read-only as in the spec.

Routes are declared as data: the table they read, the condition a nested path adds, and the
parents that must exist (an unknown parent is a 404 unknownobject, not an empty list).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import APIRouter, Depends, Request, Response

from sandbox.oneroster.auth import ROSTER, ROSTER_CORE, ROSTER_DEMOGRAPHICS, guard
from sandbox.oneroster.listing import collection, require, single
from sandbox.oneroster.query import Where
from sandbox.oneroster.runtime import Runtime

Scope = Callable[[dict[str, str]], Where]
TYPED = {
    "schools": ("orgs", Where("type = 'school'")),
    "terms": ("academicSessions", Where("type = 'term'")),
    "gradingPeriods": ("academicSessions", Where("type = 'gradingPeriod'")),
    "students": ("users", Where("role = 'student'")),
    "teachers": ("users", Where("role = 'teacher'")),
}
PLAIN = ("academicSessions", "classes", "courses", "enrollments", "orgs", "users", "demographics")


def _fixed(where: Where) -> Scope:
    return lambda _: where


def _members(role: str) -> Scope:
    def scope(p: dict[str, str]) -> Where:
        sql = (
            f"role = '{role}' AND sourcedId IN (SELECT user_id FROM enrollments WHERE class_id = ?"  # noqa: S608
        )
        params = [p["class_id"]]
        if "school_id" in p:
            sql += " AND school_id = ?"
            params.append(p["school_id"])
        return Where(sql + f" AND role = '{role}')", params)

    return scope


def _classes_of_user(p: dict[str, str]) -> Where:
    return Where("sourcedId IN (SELECT class_id FROM enrollments WHERE user_id = ?)", [p["id"]])


def _school_terms(p: dict[str, str]) -> Where:
    # Sessions belong to the district; a school's terms are its own and its district's.
    return Where(
        "type = 'term' AND "
        "(org_id = ? OR org_id = (SELECT parent_id FROM orgs WHERE sourcedId = ?))",
        [p["id"], p["id"]],
    )


@dataclass(frozen=True)
class Nested:
    path: str
    table: str
    scope: Scope
    parents: tuple[tuple[str, str], ...]  # (typed collection, path param) that must exist
    wrapper: str | None = None
    scopes: tuple[str, ...] = field(default=(ROSTER,))  # the binding's: no core scope here


NESTED = (
    Nested(
        "/classes/{class_id}/students", "users", _members("student"), (("classes", "class_id"),)
    ),
    Nested(
        "/classes/{class_id}/teachers", "users", _members("teacher"), (("classes", "class_id"),)
    ),
    Nested(
        "/courses/{id}/classes",
        "classes",
        lambda p: Where("course_id = ?", [p["id"]]),
        (("courses", "id"),),
    ),
    Nested(
        "/schools/{id}/classes",
        "classes",
        lambda p: Where("school_id = ?", [p["id"]]),
        (("schools", "id"),),
    ),
    Nested(
        "/schools/{id}/courses",
        "courses",
        lambda p: Where("org_id = ?", [p["id"]]),
        (("schools", "id"),),
    ),
    Nested(
        "/schools/{id}/enrollments",
        "enrollments",
        lambda p: Where("school_id = ?", [p["id"]]),
        (("schools", "id"),),
    ),
    Nested(
        "/schools/{id}/students",
        "users",
        lambda p: Where("role = 'student' AND org_id = ?", [p["id"]]),
        (("schools", "id"),),
    ),
    Nested(
        "/schools/{id}/teachers",
        "users",
        lambda p: Where("role = 'teacher' AND org_id = ?", [p["id"]]),
        (("schools", "id"),),
    ),
    Nested("/schools/{id}/terms", "academicSessions", _school_terms, (("schools", "id"),)),
    Nested(
        "/schools/{school_id}/classes/{class_id}/enrollments",
        "enrollments",
        lambda p: Where("school_id = ? AND class_id = ?", [p["school_id"], p["class_id"]]),
        (("schools", "school_id"), ("classes", "class_id")),
    ),
    Nested(
        "/schools/{school_id}/classes/{class_id}/students",
        "users",
        _members("student"),
        (("schools", "school_id"), ("classes", "class_id")),
    ),
    Nested(
        "/schools/{school_id}/classes/{class_id}/teachers",
        "users",
        _members("teacher"),
        (("schools", "school_id"), ("classes", "class_id")),
    ),
    Nested("/students/{id}/classes", "classes", _classes_of_user, (("students", "id"),)),
    Nested("/teachers/{id}/classes", "classes", _classes_of_user, (("teachers", "id"),)),
    Nested("/users/{id}/classes", "classes", _classes_of_user, (("users", "id"),)),
    Nested(
        "/terms/{id}/classes",
        "classes",
        lambda p: Where(
            "sourcedId IN (SELECT class_id FROM class_terms WHERE term_id = ?)", [p["id"]]
        ),
        (("terms", "id"),),
    ),
    Nested(
        "/terms/{id}/gradingPeriods",
        "academicSessions",
        lambda p: Where("type = 'gradingPeriod' AND parent_id = ?", [p["id"]]),
        (("terms", "id"),),
    ),
)


def resolve(name: str) -> tuple[str, Where | None]:
    """Typed collection name -> (table, restricting condition)."""
    if name in TYPED:
        return TYPED[name]
    return name, None


def check_parents(rt: Runtime, parents: tuple[tuple[str, str], ...], p: dict[str, str]) -> None:
    for name, param in parents:
        table, where = resolve(name)
        require(rt, table, p[param], where)


def build_router(rt: Runtime) -> APIRouter:
    router = APIRouter()

    def add(path: str, endpoint: Callable[[Request], Response], scopes: tuple[str, ...]) -> None:
        router.add_api_route(
            path, endpoint, methods=["GET"], dependencies=[Depends(guard(rt, *scopes))]
        )

    for name in (*PLAIN, *TYPED):
        table, where = resolve(name)
        # As the binding says: roster.readonly covers everything but demographics.
        scopes = (ROSTER_DEMOGRAPHICS,) if name == "demographics" else (ROSTER, ROSTER_CORE)
        add(f"/{name}", _lister(rt, table, where), scopes)
        add(f"/{name}/{{sourced_id}}", _getter(rt, table, where), scopes)
    for nested in NESTED:
        add(nested.path, _nested_lister(rt, nested), nested.scopes)
    return router


# Factories rather than loop closures with default arguments: FastAPI would publish those
# defaults as query parameters.
def _lister(rt: Runtime, table: str, where: Where | None) -> Callable[[Request], Response]:
    def list_all(request: Request) -> Response:
        return collection(request, rt, table, where)

    return list_all


def _getter(rt: Runtime, table: str, where: Where | None) -> Callable[[Request], Response]:
    def get_one(request: Request) -> Response:
        return single(request, rt, table, request.path_params["sourced_id"], where)

    return get_one


def _nested_lister(rt: Runtime, nested: Nested) -> Callable[[Request], Response]:
    def list_nested(request: Request) -> Response:
        params = dict(request.path_params)
        check_parents(rt, nested.parents, params)
        return collection(request, rt, nested.table, nested.scope(params), nested.wrapper)

    return list_nested
