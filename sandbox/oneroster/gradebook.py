"""Gradebook service routes (``/ims/oneroster/gradebook/v1p2``): all 35 operations of the binding.

categories, scoreScales, lineItems, results, assessmentLineItems and assessmentResults can each be
listed, read, PUT (201, no body) and DELETEd (204); lineItems and results can also be POSTed as a
set under a class, a school, a lineItem or a class's academic session (201 with the
``sourcedIdPairs``). Scopes are the ones the binding names for each operation.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from sandbox.oneroster.auth import (
    ASSESSMENT_DELETE,
    ASSESSMENT_READ,
    ASSESSMENT_WRITE,
    GRADEBOOK_CORE,
    GRADEBOOK_DELETE,
    GRADEBOOK_POST,
    GRADEBOOK_READ,
    GRADEBOOK_WRITE,
    guard,
)
from sandbox.oneroster.errors import invalid_data
from sandbox.oneroster.gradebook_store import Gradebook
from sandbox.oneroster.listing import JSON, collection, require, single
from sandbox.oneroster.member_checks import MAX_LIST
from sandbox.oneroster.query import Where
from sandbox.oneroster.runtime import Runtime
from sandbox.oneroster.schema import TABLES
from sandbox.oneroster.wire import dumps

Scope = Callable[[dict[str, str]], Where | None]
Parents = tuple[tuple[str, str, Where | None], ...]  # (table, path parameter, condition)
Crud = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]  # read, write, delete scopes
CLASS = ("classes", "classSourcedId", None)
SCHOOL = ("orgs", "schoolSourcedId", Where("type = 'school'"))
MAX_BODY = 5_000_000  # bytes of one write


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise invalid_data(f"request body is larger than {MAX_BODY} bytes")
    try:
        payload = json.loads(raw)
    except ValueError:
        raise invalid_data("request body is not JSON") from None
    if not isinstance(payload, dict):
        raise invalid_data("request body must be a JSON object")
    return payload


async def _single_body(request: Request, key: str) -> dict[str, Any]:
    record = (await _body(request)).get(key)
    if not isinstance(record, dict):
        raise invalid_data(f"request body must be an object with a {key!r} member")
    return record


async def _set_body(request: Request, key: str) -> list[dict[str, Any]]:
    records = (await _body(request)).get(key)
    if not isinstance(records, list) or not 1 <= len(records) <= MAX_LIST:
        raise invalid_data(f"request body must have a {key!r} list of 1 to {MAX_LIST} records")
    if not all(isinstance(r, dict) for r in records):
        raise invalid_data(f"every item of {key!r} must be an object")
    return records


def _check_parents(rt: Runtime, parents: Parents, p: dict[str, str]) -> None:
    for table, param, where in parents:
        require(rt, table, p[param], where)


def build_router(rt: Runtime) -> APIRouter:
    router = APIRouter()
    book = Gradebook(rt)

    def route(path: str, method: str, scopes: tuple[str, ...], endpoint: Any) -> None:
        deps = [Depends(guard(rt, *scopes))]
        router.add_api_route(path, endpoint, methods=[method], dependencies=deps)

    def lister(table: str, scope: Scope, parents: Parents) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            p = dict(request.path_params)
            _check_parents(rt, parents, p)
            return collection(request, rt, table, scope(p))

        return endpoint

    def getter(table: str) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            return single(request, rt, table, request.path_params["sourcedId"])

        return endpoint

    def putter(table: str) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            record = await _single_body(request, TABLES[table].singular)
            book.put(table, request.path_params["sourcedId"], record)
            return Response(status_code=201)

        return endpoint

    def deleter(table: str) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            book.delete(table, request.path_params["sourcedId"])
            return Response(status_code=204)

        return endpoint

    def poster(
        table: str, parents: Parents, fill: Callable[[dict[str, str]], dict[str, Any]]
    ) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            p = dict(request.path_params)
            _check_parents(rt, parents, p)
            records = await _set_body(request, table)
            pairs = book.post(table, [{**r, **fill(p)} for r in records])
            body = dumps({"sourcedIdPairs": pairs}).encode()
            return Response(body, status_code=201, media_type=JSON)

        return endpoint

    gradebook: Crud = ((GRADEBOOK_READ, GRADEBOOK_CORE), (GRADEBOOK_WRITE,), (GRADEBOOK_DELETE,))
    assessment: Crud = ((ASSESSMENT_READ,), (ASSESSMENT_WRITE,), (ASSESSMENT_DELETE,))
    for table in ("categories", "scoreScales", "lineItems", "results"):
        _crud(route, table, gradebook, lister(table, lambda p: None, ()), getter, putter, deleter)
    for table in ("assessmentLineItems", "assessmentResults"):
        _crud(route, table, assessment, lister(table, lambda p: None, ()), getter, putter, deleter)

    read = (GRADEBOOK_READ,)
    for path, table, scope, parents in NESTED:
        route(path, "GET", read, lister(table, scope, parents))

    def ref(kind: str, sid: str) -> dict[str, str]:
        return {"sourcedId": sid, "type": kind}

    posts: list[tuple[str, str, Parents, Callable[[dict[str, str]], dict[str, Any]]]] = [
        (
            "/classes/{classSourcedId}/lineItems",
            "lineItems",
            (CLASS,),
            lambda p: {"class": ref("class", p["classSourcedId"])},
        ),
        (
            "/schools/{schoolSourcedId}/lineItems",
            "lineItems",
            (SCHOOL,),
            lambda p: {"school": ref("org", p["schoolSourcedId"])},
        ),
        (
            "/lineItems/{lineItemSourcedId}/results",
            "results",
            (("lineItems", "lineItemSourcedId", None),),
            lambda p: {"lineItem": ref("lineItem", p["lineItemSourcedId"])},
        ),
        (
            "/classes/{classSourcedId}/academicSessions/{academicSessionSourcedId}/results",
            "results",
            (CLASS, ("academicSessions", "academicSessionSourcedId", None)),
            lambda p: {"class": ref("class", p["classSourcedId"])},
        ),
    ]
    for path, table, parents, fill in posts:
        route(path, "POST", (GRADEBOOK_POST,), poster(table, parents, fill))
    return router


def _crud(
    route: Callable[..., None],
    table: str,
    scopes: Crud,
    list_all: Callable[[Request], Response],
    getter: Callable[[str], Any],
    putter: Callable[[str], Any],
    deleter: Callable[[str], Any],
) -> None:
    read, write, delete = scopes
    route(f"/{table}", "GET", read, list_all)
    route(f"/{table}/{{sourcedId}}", "GET", read, getter(table))
    route(f"/{table}/{{sourcedId}}", "PUT", write, putter(table))
    route(f"/{table}/{{sourcedId}}", "DELETE", delete, deleter(table))


def _by(column: str, param: str) -> Scope:
    return lambda p: Where(f"{column} = ?", [p[param]])


NESTED: tuple[tuple[str, str, Scope, Parents], ...] = (
    (
        "/classes/{classSourcedId}/categories",
        "categories",
        # A category has no class of its own: a class's are those its lineItems use.
        lambda p: Where(
            "sourcedId IN (SELECT category_id FROM lineItems WHERE class_id = ?)",
            [p["classSourcedId"]],
        ),
        (CLASS,),
    ),
    (
        "/classes/{classSourcedId}/lineItems",
        "lineItems",
        _by("class_id", "classSourcedId"),
        (CLASS,),
    ),
    ("/classes/{classSourcedId}/results", "results", _by("class_id", "classSourcedId"), (CLASS,)),
    (
        "/classes/{classSourcedId}/scoreScales",
        "scoreScales",
        _by("class_id", "classSourcedId"),
        (CLASS,),
    ),
    (
        "/schools/{schoolSourcedId}/scoreScales",
        "scoreScales",
        lambda p: Where(
            "class_id IN (SELECT sourcedId FROM classes WHERE school_id = ?)",
            [p["schoolSourcedId"]],
        ),
        (SCHOOL,),
    ),
    (
        "/lineItems/{lineItemSourcedId}/results",  # not in the binding; kept for existing clients
        "results",
        _by("line_item_id", "lineItemSourcedId"),
        (("lineItems", "lineItemSourcedId", None),),
    ),
    (
        "/classes/{classSourcedId}/lineItems/{lineItemSourcedId}/results",
        "results",
        lambda p: Where(
            "class_id = ? AND line_item_id = ?", [p["classSourcedId"], p["lineItemSourcedId"]]
        ),
        (CLASS, ("lineItems", "lineItemSourcedId", None)),
    ),
    (
        "/classes/{classSourcedId}/students/{studentSourcedId}/results",
        "results",
        lambda p: Where(
            "class_id = ? AND student_id = ?", [p["classSourcedId"], p["studentSourcedId"]]
        ),
        (CLASS, ("users", "studentSourcedId", Where("role = 'student'"))),
    ),
)
