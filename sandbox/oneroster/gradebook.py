"""Gradebook service routes (``/ims/oneroster/gradebook/v1p2``): lineItems and results.

PUT by sourcedId creates or replaces (201 on create, 200 on replace) and is idempotent: sending
the same record again changes nothing, not even ``dateLastModified``, so it produces no delta.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from sandbox.oneroster.auth import GRADEBOOK_DELETE, GRADEBOOK_READ, GRADEBOOK_WRITE, guard
from sandbox.oneroster.errors import ImsxError, invalid_data, unknown_object
from sandbox.oneroster.listing import JSON, collection, fetch_one, require, single
from sandbox.oneroster.query import Where
from sandbox.oneroster.runtime import Runtime
from sandbox.oneroster.schema import GRADEBOOK, ROSTERING, TABLES
from sandbox.oneroster.wire import dumps

SCORE_STATUSES = {"exempt", "fully graded", "not submitted", "partially graded", "submitted"}
RESULT_COLUMNS = {"scoreStatus", "score", "scoreDate", "comment"}


def now_stamp() -> str:
    moment = datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


async def _body(request: Request, key: str) -> dict[str, Any]:
    try:
        payload = json.loads(await request.body())
    except ValueError:
        raise invalid_data("request body is not JSON") from None
    record = payload.get(key) if isinstance(payload, dict) else None
    if not isinstance(record, dict):
        raise invalid_data(f"request body must be an object with a {key!r} member")
    return record


def _ref_id(record: dict[str, Any], name: str, *, required: bool = True) -> str | None:
    ref = record.get(name)
    if ref is None and not required:
        return None
    if not isinstance(ref, dict) or not isinstance(ref.get("sourcedId"), str):
        raise invalid_data(f"{name}.sourcedId is required")
    return str(ref["sourcedId"])


def _check_fields(table: str, record: dict[str, Any]) -> None:
    unknown = sorted(set(record) - TABLES[table].fields)
    if unknown:
        raise invalid_data(f"unknown {TABLES[table].singular} field(s): {', '.join(unknown)}")


def _require_text(record: dict[str, Any], *names: str) -> None:
    for name in names:
        if not isinstance(record.get(name), str) or not record[name]:
            raise invalid_data(f"{name} is required")


def _same(stored: dict[str, Any], new: dict[str, Any]) -> bool:
    strip = ("dateLastModified",)
    return {k: v for k, v in stored.items() if k not in strip} == {
        k: v for k, v in new.items() if k not in strip
    }


class Gradebook:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.roster = f"{rt.prefix}{ROSTERING}"
        self.gradebook = f"{rt.prefix}{GRADEBOOK}"

    def ref(self, base: str, collection_name: str, kind: str, sid: str) -> dict[str, str]:
        return {"href": f"{base}/{collection_name}/{sid}", "sourcedId": sid, "type": kind}

    def _existing(self, table: str, sid: str) -> dict[str, Any] | None:
        try:
            return dict(json.loads(fetch_one(self.rt, table, sid)))
        except ImsxError:
            return None

    def put_line_item(self, sid: str, record: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        _check_fields("lineItems", record)
        if record.get("sourcedId", sid) != sid:
            raise invalid_data("sourcedId in the body differs from the one in the path")
        _require_text(record, "title", "assignDate", "dueDate")
        class_id = str(_ref_id(record, "class"))
        klass = self._existing("classes", class_id)
        if klass is None:
            raise invalid_data(f"class {class_id!r} does not exist")
        school_id = _ref_id(record, "school", required=False) or klass["school"]["sourcedId"]
        stored = {
            **record,
            "sourcedId": sid,
            "status": record.get("status", "active"),
            "class": self.ref(self.roster, "classes", "class", class_id),
            "school": self.ref(self.roster, "orgs", "org", school_id),
        }
        for name in ("gradingPeriod", "academicSession"):
            if (ref := _ref_id(record, name, required=False)) is not None:
                stored[name] = self.ref(self.roster, "academicSessions", "academicSession", ref)
        old = self._existing("lineItems", sid)
        if old is not None and _same(old, stored):
            return 200, old
        stored["dateLastModified"] = now_stamp()
        self.rt.conn().execute(
            "INSERT OR REPLACE INTO lineItems VALUES (?, ?, ?, ?, ?, ?)",
            (sid, stored["status"], stored["dateLastModified"], class_id, school_id, dumps(stored)),
        )
        self.rt.changed()
        return (201 if old is None else 200), stored

    def put_result(self, sid: str, record: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        _check_fields("results", record)
        if record.get("sourcedId", sid) != sid:
            raise invalid_data("sourcedId in the body differs from the one in the path")
        _require_text(record, "scoreStatus", "scoreDate")
        if record["scoreStatus"] not in SCORE_STATUSES:
            raise invalid_data(f"scoreStatus must be one of {sorted(SCORE_STATUSES)}")
        score = record.get("score")
        if score is not None and not isinstance(score, int | float):
            raise invalid_data("score must be a number")
        item_id, student_id = str(_ref_id(record, "lineItem")), str(_ref_id(record, "student"))
        item = self._existing("lineItems", item_id)
        if item is None:
            raise invalid_data(f"lineItem {item_id!r} does not exist")
        if self._existing("users", student_id) is None:
            raise invalid_data(f"student {student_id!r} does not exist")
        class_id = item["class"]["sourcedId"]
        stored = {
            "sourcedId": sid,
            "status": record.get("status", "active"),
            "lineItem": self.ref(self.gradebook, "lineItems", "lineItem", item_id),
            "student": self.ref(self.roster, "users", "user", student_id),
            "class": self.ref(self.roster, "classes", "class", class_id),
            "scoreStatus": record["scoreStatus"],
            "score": None if score is None else float(score),
            "scoreDate": record["scoreDate"],
            "comment": record.get("comment"),
        }
        skip = {"sourcedId", "status", "dateLastModified", "lineItem", "student", "class"}
        extra = {k: v for k, v in record.items() if k not in skip | RESULT_COLUMNS}
        old = self._existing("results", sid)
        if old is not None and _same(old, {**stored, **extra}):
            return 200, old
        stamp = now_stamp()
        self.rt.conn().execute(
            "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                sid,
                stored["status"],
                stamp,
                item_id,
                student_id,
                class_id,
                stored["scoreStatus"],
                stored["score"],
                stored["scoreDate"],
                stored["comment"],
                dumps(extra) if extra else None,
            ),
        )
        self.rt.changed()
        return (201 if old is None else 200), json.loads(fetch_one(self.rt, "results", sid))

    def delete(self, table: str, sid: str) -> Response:
        cursor = self.rt.conn().execute(f"DELETE FROM {table} WHERE sourcedId = ?", (sid,))  # noqa: S608
        if cursor.rowcount == 0:
            raise unknown_object(TABLES[table].singular, sid)
        self.rt.changed()
        return Response(status_code=204)


def _answer(status: int, key: str, record: dict[str, Any]) -> Response:
    return Response(dumps({key: record}).encode(), status_code=status, media_type=JSON)


def build_router(rt: Runtime) -> APIRouter:
    router = APIRouter()
    book = Gradebook(rt)
    read = [Depends(guard(rt, GRADEBOOK_READ, GRADEBOOK_WRITE))]
    write = [Depends(guard(rt, GRADEBOOK_WRITE))]
    remove = [Depends(guard(rt, GRADEBOOK_DELETE))]

    def lister(
        table: str,
        scope: Callable[[dict[str, str]], Where | None],
        parents: tuple[tuple[str, str, Where | None], ...],
    ) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            p = dict(request.path_params)
            for parent_table, param, where in parents:
                require(rt, parent_table, p[param], where)
            return collection(request, rt, table, scope(p))

        return endpoint

    def getter(table: str) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            return single(request, rt, table, request.path_params["sourced_id"])

        return endpoint

    def deleter(table: str) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            return book.delete(table, request.path_params["sourced_id"])

        return endpoint

    for table in ("lineItems", "results"):
        router.add_api_route(f"/{table}", lister(table, lambda p: None, ()), dependencies=read)
        router.add_api_route(f"/{table}/{{sourced_id}}", getter(table), dependencies=read)
        router.add_api_route(
            f"/{table}/{{sourced_id}}", deleter(table), methods=["DELETE"], dependencies=remove
        )

    @router.put("/lineItems/{sourced_id}", dependencies=write)
    async def put_line_item(request: Request, sourced_id: str) -> Response:
        status, stored = book.put_line_item(sourced_id, await _body(request, "lineItem"))
        return _answer(status, "lineItem", stored)

    @router.put("/results/{sourced_id}", dependencies=write)
    async def put_result(request: Request, sourced_id: str) -> Response:
        status, stored = book.put_result(sourced_id, await _body(request, "result"))
        return _answer(status, "result", stored)

    @router.post("/classes/{class_id}/lineItems", dependencies=write)
    async def post_line_item(request: Request, class_id: str) -> Response:
        require(rt, "classes", class_id)
        record = await _body(request, "lineItem")
        supplied = str(record.get("sourcedId") or "")
        allocated = supplied or str(uuid.uuid4())
        record = {**record, "sourcedId": allocated, "class": {"sourcedId": class_id}}
        book.put_line_item(allocated, record)
        pairs = {"suppliedSourcedId": supplied, "allocatedSourcedId": allocated}
        return _answer(201, "sourcedIdPairs", pairs)

    klass = ("classes", "class_id", None)
    nested: list[tuple[str, str, Callable[[dict[str, str]], Where], tuple[Any, ...]]] = [
        (
            "/classes/{class_id}/lineItems",
            "lineItems",
            lambda p: Where("class_id = ?", [p["class_id"]]),
            (klass,),
        ),
        (
            "/classes/{class_id}/results",
            "results",
            lambda p: Where("class_id = ?", [p["class_id"]]),
            (klass,),
        ),
        (
            "/lineItems/{line_item_id}/results",
            "results",
            lambda p: Where("line_item_id = ?", [p["line_item_id"]]),
            (("lineItems", "line_item_id", None),),
        ),
        (
            "/classes/{class_id}/lineItems/{line_item_id}/results",
            "results",
            lambda p: Where(
                "class_id = ? AND line_item_id = ?", [p["class_id"], p["line_item_id"]]
            ),
            (klass, ("lineItems", "line_item_id", None)),
        ),
        (
            "/classes/{class_id}/students/{student_id}/results",
            "results",
            lambda p: Where("class_id = ? AND student_id = ?", [p["class_id"], p["student_id"]]),
            (klass, ("users", "student_id", Where("role = 'student'"))),
        ),
    ]
    for path, table, scope, parents in nested:
        router.add_api_route(path, lister(table, scope, parents), dependencies=read)
    return router
