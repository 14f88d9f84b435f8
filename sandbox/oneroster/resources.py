"""Resources service routes (``/ims/oneroster/resources/v1p2``), read-only as in the binding.

A course's resources are linked in ``course_resources``; a class has its course's, and a user
those of the classes they are enrolled in.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Request, Response

from sandbox.oneroster.auth import RESOURCE, RESOURCE_CORE, guard
from sandbox.oneroster.listing import collection, require, single
from sandbox.oneroster.query import Where
from sandbox.oneroster.runtime import Runtime

OF_COURSE = "sourcedId IN (SELECT resource_id FROM course_resources WHERE course_id = ?)"
OF_CLASS = (
    "sourcedId IN (SELECT resource_id FROM course_resources "
    "WHERE course_id = (SELECT course_id FROM classes WHERE sourcedId = ?))"
)
OF_USER = (
    "sourcedId IN (SELECT resource_id FROM course_resources WHERE course_id IN "
    "(SELECT course_id FROM classes WHERE sourcedId IN "
    "(SELECT class_id FROM enrollments WHERE user_id = ?)))"
)
NESTED = (
    ("/courses/{courseSourcedId}/resources", "courses", "courseSourcedId", OF_COURSE),
    ("/classes/{classSourcedId}/resources", "classes", "classSourcedId", OF_CLASS),
    ("/users/{userSourcedId}/resources", "users", "userSourcedId", OF_USER),
)


def build_router(rt: Runtime) -> APIRouter:
    router = APIRouter()

    def route(path: str, scopes: tuple[str, ...], endpoint: Callable[[Request], Response]) -> None:
        router.add_api_route(path, endpoint, dependencies=[Depends(guard(rt, *scopes))])

    def list_all(request: Request) -> Response:
        return collection(request, rt, "resources")

    def get_one(request: Request) -> Response:
        return single(request, rt, "resources", request.path_params["sourcedId"])

    route("/resources", (RESOURCE, RESOURCE_CORE), list_all)
    route("/resources/{sourcedId}", (RESOURCE, RESOURCE_CORE), get_one)
    for path, parent, param, sql in NESTED:
        route(path, (RESOURCE,), _nested(rt, parent, param, sql))
    return router


def _nested(rt: Runtime, parent: str, param: str, sql: str) -> Callable[[Request], Response]:
    def list_nested(request: Request) -> Response:
        sourced_id = request.path_params[param]
        require(rt, parent, sourced_id)
        return collection(request, rt, "resources", Where(sql, [sourced_id]))

    return list_nested
